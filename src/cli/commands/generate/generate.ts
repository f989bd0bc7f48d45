import path from "node:path";
import { routes } from "../../../contract/index.js";
import { VERSION } from "../../../version.js";
import type { Context } from "../../context.js";
import { CliError, ConflictError } from "../../errors.js";
import type { IO } from "../../io.js";
import { readProject } from "../../project.js";
import { applyPlan, GENERATED_MARKER, planFiles, type PlannedFile } from "./files.js";
import { startProgress } from "./progress.js";
import { manifestSelection } from "./selection.js";

export interface GenerateOptions {
  out?: string;
  app?: string;
  /** `--integrations`: only these slugs (with waygate.json, a subset of its entries). */
  integrations?: string[];
  check: boolean;
  /** Where waygate.json is looked for and relative paths start; defaults to the process's. */
  cwd?: string;
}

export interface GenerateResult {
  out: string;
  manifestHash: string;
  integrations: Array<{ slug: string; version: number; actions: number }>;
  files: PlannedFile[];
  checked: boolean;
  /** How code in the working directory imports the client: `./waygate/index.js`. */
  importPath: string;
}

export async function run(context: Context, options: GenerateOptions): Promise<GenerateResult> {
  const cwd = options.cwd ?? process.cwd();
  const project = await readProject(cwd);
  const out = path.resolve(cwd, options.out ?? project?.project.out ?? "./waygate");
  const app = options.app ?? project?.project.app;
  const integrations = manifestSelection(project?.project.integrations ?? {}, options.integrations, project?.file);
  const client = await context.client();
  // ts-morph, openapi-typescript and the TypeScript compiler load only here, while the manifest is on its way.
  const codegen = import("../../../codegen/index.js");
  codegen.catch(() => {}); // awaited below; if an earlier step fails first, its rejection is not "unhandled"
  const progress = await startProgress(context, `Fetching the SDK manifest from ${(await context.target()).apiUrl}`);
  try {
    const manifest = await client.call(routes.getManifest, { query: { app, integrations } });
    if (manifest.integrations.length === 0) {
      throw new CliError("there is nothing to generate: no published integrations" + (app ? ` for app ${app}` : "") + "; import one with `waygate scrape`");
    }
    const actions = manifest.integrations.reduce((sum, integration) => sum + integration.actions.length, 0);
    progress.stage(`Generating ${plural(manifest.integrations.length, "integration")} / ${plural(actions, "action")}`);
    const { generateClient } = await codegen;
    const files = generateClient(manifest, { generatorVersion: VERSION });
    for (const [file, text] of files) {
      if (!text.startsWith(GENERATED_MARKER)) throw new Error(`generated ${file} lacks the "${GENERATED_MARKER}" header`);
    }
    progress.stage(`Comparing ${plural(files.size, "file")} with ${out}`);
    const plan = await planFiles(out, files);
    const summary: GenerateResult = {
      out,
      manifestHash: manifest.hash,
      integrations: manifest.integrations.map((i) => ({ slug: i.slug, version: i.version, actions: i.actions.length })),
      files: plan,
      checked: options.check,
      importPath: importPath(cwd, out),
    };
    if (options.check) {
      const stale = plan.filter((file) => file.status !== "unchanged");
      if (stale.length > 0) {
        progress.stop();
        if (context.globals.json) context.io.out(JSON.stringify(summary, null, 2));
        throw new ConflictError(
          `the client in ${out} is out of date (${stale.map((f) => `${f.path} would be ${f.status}`).join(", ")}); run \`waygate generate\``,
        );
      }
      return summary;
    }
    const changed = plan.filter((file) => file.status !== "unchanged").length;
    progress.stage(`Writing ${plural(changed, "file")} to ${out}`);
    await applyPlan(out, files, plan);
    return summary;
  } finally {
    progress.stop();
  }
}

export function render(result: GenerateResult, io: IO): void {
  const changed = result.files.filter((file) => file.status !== "unchanged");
  const list = result.integrations.map((i) => `${i.slug}@${i.version} (${i.actions} actions)`).join(", ");
  if (result.checked) {
    io.out(`Up to date: ${result.out} matches ${list}.`);
    return;
  }
  for (const file of changed) io.err(`${file.status.padEnd(8)} ${path.join(result.out, file.path)}`);
  io.out(changed.length ? `Generated ${result.out} for ${list}.` : `Nothing changed in ${result.out} (${list}).`);
  io.err(`Import it from code in this directory: import { createWaygate } from "${result.importPath}";`);
}

/** `./waygate/index.js` from `cwd`: a relative ESM specifier, with `/` on every platform. */
export function importPath(cwd: string, out: string): string {
  const relative = path.relative(cwd, path.join(out, "index.js")).split(path.sep).join("/");
  return relative.startsWith("../") ? relative : `./${relative}`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}
