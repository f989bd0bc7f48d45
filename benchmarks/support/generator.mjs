// The generator and the importer from the TypeScript sources, bundled with esbuild (what tsup
// builds into dist/), with the one-integration GitHub manifest the codegen tests use
// (test/codegen/support/github-manifest.ts), so the benchmarks need no build step and build
// the manifest exactly as the tests do.
import { build } from "esbuild";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));

/**
 * Writes the bundle to `outfile`: it exports `generateClient`, `importDocument` and
 * `githubManifest()`. Put it inside node_modules/.cache so its bare imports resolve from
 * this repo's node_modules.
 */
export async function bundleGenerator(outfile) {
  await build({
    stdin: {
      contents: [
        'export { generateClient } from "./src/codegen/index.ts";',
        'export { importDocument } from "./src/importer/index.ts";',
        'export { githubManifest } from "./test/codegen/support/github-manifest.ts";',
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
}
