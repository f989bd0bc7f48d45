import path from "node:path";
import { problemTypes, problemTypeUri, routes, type FieldError } from "../../../contract/index.js";
import { VERSION } from "../../../version.js";
import type { Context } from "../../context.js";
import { CliError, ExitCode } from "../../errors.js";
import type { IO } from "../../io.js";
import { PROJECT_FILE, readProject } from "../../project.js";
import { differenceInWords, pinDifferences, type PinDifference } from "../pins/compare.js";
import { describeChanges, type ClientChanges } from "./describe.js";
import { applyPlan, checkOutDir, GENERATED_MARKER, planFiles, type PlannedFile } from "./files.js";
import { startProgress } from "./progress.js";
import { manifestSelection } from "./selection.js";

export interface GenerateOptions {
  out?: string;
  app?: string;
  /** `--integrations`: only these slugs (with waygate.json, a subset of its entries). */
  integrations?: string[];
  check: boolean;
  /** Replace files in the output folder that generate did not write (and symlinks, never written through). */
  force?: boolean;
  /** Where waygate.json is looked for and relative paths start; defaults to the process's. */
  cwd?: string;
}

export interface GenerateResult {
  out: string;
  manifestHash: string;
  integrations: Array<{ slug: string; version: number; actions: number }>;
  files: PlannedFile[];
  /** How the client on disk differs from this one, by integration where its headers say. */
  changes: ClientChanges;
  /**
   * `--check` only: where waygate.json and the server's pins for its app disagree (the
   * server would run other versions than the code was typed for); null when not compared.
   */
  pinDifferences: PinDifference[] | null;
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
  await checkOutDir(out, cwd);
  const client = await context.client();
  // openapi-typescript and the TypeScript compiler load only here, while the manifest is on its way.
  const codegen = import("../../../codegen/index.js");
  codegen.catch(() => {}); // awaited below; if an earlier step fails first, its rejection is not "unhandled"
  const progress = await startProgress(context, `Fetching the SDK manifest from ${(await context.target()).apiUrl}`);
  try {
    // --check also compares waygate.json with the server's pins for its app (only the entries it lists).
    const pinned = options.check && project && app && Object.keys(project.project.integrations).length > 0;
    const [manifest, pins] = await Promise.all([
      client.call(routes.getManifest, { query: { app, integrations } }),
      pinned ? client.call(routes.listPins, { params: { app } }).then((page) => page.data) : Promise.resolve(undefined),
    ]);
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
    const wanted = manifest.integrations.map((i) => ({ slug: i.slug, version: i.version }));
    const summary: GenerateResult = {
      out,
      manifestHash: manifest.hash,
      integrations: manifest.integrations.map((i) => ({ slug: i.slug, version: i.version, actions: i.actions.length })),
      files: plan.files,
      changes: describeChanges({ plan: plan.files, existingHeaders: plan.existingHeaders, generated: files, wanted, generatorVersion: VERSION }),
      pinDifferences: pins && project ? pinDifferences(project.project.integrations, pins, "project") : null,
      checked: options.check,
      importPath: importPath(cwd, out),
    };
    if (options.check) {
      const failure = checkFailure(summary, app, project?.file);
      if (failure) {
        progress.stop();
        if (context.globals.json) context.io.out(JSON.stringify(summary, null, 2));
        throw failure;
      }
      return summary;
    }
    const changed = plan.files.filter((file) => file.status !== "unchanged").length;
    progress.stage(`Writing ${plural(changed, "file")} to ${out}`);
    await applyPlan(out, files, plan.files, { force: options.force === true });
    return summary;
  } finally {
    progress.stop();
  }
}

/**
 * Why `--check` fails, as exit 5 with a problem+json body (status 409): the files on disk
 * differ from what would be generated, or the server runs the app on other versions than
 * waygate.json, which the code was typed for.
 */
function checkFailure(summary: GenerateResult, app: string | undefined, projectFile: string | undefined): CliError | undefined {
  const stale = summary.files.some((file) => file.status !== "unchanged");
  const differences = summary.pinDifferences ?? [];
  if (!stale && differences.length === 0) return undefined;
  const lines: string[] = [];
  const errors: FieldError[] = [];
  if (stale) {
    lines.push(`the client in ${summary.out} is out of date: ${summary.changes.summary}. Run \`waygate generate\`.`);
    errors.push({ field: summary.out, message: summary.changes.summary });
  }
  if (differences.length > 0) {
    const file = projectFile ?? PROJECT_FILE;
    lines.push(
      `${file} and the server's pins for ${app} differ: ${differences.map(differenceInWords).join("; ")}. ` +
        `The client is typed for ${PROJECT_FILE}'s versions; an integration the server does not pin runs at its current version. ` +
        `Run \`waygate pins sync\` to pin the server to ${PROJECT_FILE} (or \`waygate pins sync --from-server\` to take the server's pins).`,
    );
    for (const difference of differences) {
      errors.push({ field: `${PROJECT_FILE}#/integrations/${difference.integration}`, message: differenceInWords(difference) });
    }
  }
  const detail = lines.join("\n");
  const code = stale && differences.length > 0 ? "client-stale-and-pins-differ" : stale ? "client-stale" : "pins-differ";
  return new CliError(detail, ExitCode.conflict, {
    type: problemTypeUri("conflict"),
    title: problemTypes.conflict.title,
    status: problemTypes.conflict.status,
    detail,
    code,
    errors,
  });
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
