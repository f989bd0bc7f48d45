import { readFileSync } from "node:fs";
import { defineConfig } from "tsup";

const { version } = JSON.parse(readFileSync("package.json", "utf8")) as { version: string };

// The CLI is the main entry. The server, store and client are reached from it through dynamic
// imports, so esbuild splits them into chunks that `--version` and `--help` never load.
export default defineConfig({
  entry: {
    "cli/main": "src/cli/main.ts",
    // Benchmarks and embedders import the importer on its own.
    "importer/index": "src/importer/index.ts",
    // The worker thread imports run on (src/jobs/handlers/import-runner.ts starts it).
    "import-thread": "src/jobs/handlers/import-thread.ts",
  },
  format: ["esm"],
  platform: "node",
  target: "node22",
  splitting: true,
  // No source maps: nothing runs with --enable-source-maps, the package does not ship src/,
  // and maps (with their embedded sources) would more than double what `npx waygate` downloads.
  // The output is not minified, so a --debug stack trace still names real functions.
  sourcemap: false,
  clean: true,
  dts: false,
  outDir: "dist",
  define: { __WAYGATE_VERSION__: JSON.stringify(version) },
  // Dependencies stay external: npm installs them, and bundling native or optional
  // modules (pg, @napi-rs/keyring) would break them.
  skipNodeModulesBundle: true,
  // …except commander, which every command loads first: one bundled chunk instead of
  // resolving and wrapping its CommonJS files saves a visible slice of `--help`.
  noExternal: ["commander"],
  // node:sqlite only exists with its prefix; tsup would otherwise strip `node:` from builtins.
  removeNodeProtocol: false,
});
