import { defineConfig } from "tsup";

// One entry: the CLI. The server, store and client are reached from it through dynamic
// imports, so esbuild splits them into chunks that `--version` and `--help` never load.
export default defineConfig({
  entry: { "cli/main": "src/cli/main.ts" },
  format: ["esm"],
  platform: "node",
  target: "node22",
  splitting: true,
  sourcemap: true,
  clean: true,
  dts: false,
  outDir: "dist",
  // Dependencies stay external: npm installs them, and bundling native or optional
  // modules (pg, @napi-rs/keyring) would break them.
  skipNodeModulesBundle: true,
});
