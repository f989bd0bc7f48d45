import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { defineConfig } from "tsup";
import ts from "typescript";
import { compileRuntimeFiles } from "./src/codegen/runtime-build.js";
import { BUILT_RUNTIME_DIR } from "./src/codegen/templates.js";

const { version } = JSON.parse(readFileSync("package.json", "utf8")) as { version: string };

// The CLI is the main entry. The server, store and client are reached from it through dynamic
// imports, so esbuild splits them into chunks that `--version` and `--help` never load.
export default defineConfig({
  entry: {
    "cli/main": "src/cli/main.ts",
    // Benchmarks and embedders import the importer on its own.
    "importer/index": "src/importer/index.ts",
    // `import { createFetchHandler } from "waygate/server"`: the API for serverless hosts.
    server: "src/server/fetch-handler.ts",
    // The child process imports run in (src/jobs/handlers/import-runner.ts forks it).
    "import-process": "src/jobs/handlers/import-process.ts",
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
  // The generated client's runtime, compiled once here (runtime.js + runtime.d.ts, runtime-batch.js…), not at every `waygate generate`.
  onSuccess: async () => {
    const files = compileRuntimeFiles((module) => readFileSync(`templates/${module}.ts`, "utf8"), ts);
    mkdirSync(BUILT_RUNTIME_DIR, { recursive: true });
    for (const [file, text] of files) writeFileSync(join(BUILT_RUNTIME_DIR, file), text);
  },
});
