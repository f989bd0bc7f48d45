// The generator and the importer from the TypeScript sources, bundled with esbuild (what tsup
// builds into dist/), with the one-integration GitHub manifest the codegen tests use
// (test/codegen/support/github-manifest.ts), so the benchmarks need no build step and build
// the manifest exactly as the tests do.
import { build } from "esbuild";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));

/**
 * Writes the bundle to `outfile`: it exports `generateClient`, `importDocument` and
 * `githubManifest()`; and builds the runtime into dist/runtime/ as the package build does. Put it inside node_modules/.cache so its bare imports resolve from
 * this repo's node_modules.
 */
export async function bundleGenerator(outfile) {
  await build({
    stdin: {
      contents: [
        'export { generateClient } from "./src/codegen/index.ts";',
        'export { importDocument } from "./src/importer/index.ts";',
        'export { githubManifest } from "./test/codegen/support/github-manifest.ts";',
        'export { compileRuntimeFiles } from "./src/codegen/runtime-build.ts";',
        'export { BUILT_RUNTIME_DIR } from "./src/codegen/templates.ts";',
      ].join("\n"),
      resolveDir: root,
      loader: "ts",
    },
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node22",
    packages: "external",
    outfile,
    logLevel: "warning",
  });
  await buildRuntime(outfile);
}

/**
 * Writes dist/runtime/runtime.js and runtime.d.ts as `npm run build` does (tsup.config.ts), so
 * the generator reads the built runtime, as `waygate generate` from an installed package does,
 * instead of compiling templates/runtime.ts in every run.
 */
async function buildRuntime(bundle) {
  const { compileRuntimeFiles, BUILT_RUNTIME_DIR } = await import(pathToFileURL(bundle).href);
  const { default: ts } = await import("typescript");
  const files = compileRuntimeFiles((module) => readFileSync(join(root, `templates/${module}.ts`), "utf8"), ts);
  mkdirSync(join(root, BUILT_RUNTIME_DIR), { recursive: true });
  for (const [file, text] of files) writeFileSync(join(root, BUILT_RUNTIME_DIR, file), text);
}
