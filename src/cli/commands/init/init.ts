import { existsSync } from "node:fs";
import { mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import { templatesDir } from "../../../codegen/templates.js";
import { VERSION } from "../../../version.js";
import { writeFileAtomic } from "../../fs-atomic.js";
import { AppNameSchema, routes, type ProjectFile } from "../../../contract/index.js";
import type { Context } from "../../context.js";
import { ConflictError, UsageError } from "../../errors.js";
import type { IO } from "../../io.js";
import { PROJECT_FILE, readProject, writeProject } from "../../project.js";

export interface InitOptions {
  /** Required unless waygate.json exists and only the CI workflow is asked for. */
  app?: string;
  out: string;
  fromPins: boolean;
  force: boolean;
  ci?: "github";
}

export interface InitResult {
  /** Absent when an existing waygate.json was kept (`--ci` alone). */
  file?: string;
  project?: ProjectFile;
  /** The CI workflow written (`--ci`). */
  workflow?: string;
}

export async function run(context: Context, options: InitOptions): Promise<InitResult> {
  const dir = process.cwd();
  const exists = !!(await readProject(dir).catch(() => ({ exists: true })));
  // `waygate init --ci github` in a project that has its waygate.json: add the workflow only.
  if (options.ci && options.app === undefined && exists) return { workflow: await writeWorkflow(dir, options) };
  if (options.app === undefined) throw new UsageError("--app is required: the app this repository's client is for");
  if (!AppNameSchema.safeParse(options.app).success) throw new UsageError(`"${options.app}" is not an app name (lowercase letters, digits and dashes)`);
  if (!options.force && exists) {
    throw new ConflictError(`${path.join(dir, PROJECT_FILE)} already exists; pass --force to overwrite it`);
  }
  // Checked before anything is written: nothing half-applied.
  if (options.ci && !options.force && existsSync(path.join(dir, WORKFLOW_FILE))) {
    throw new ConflictError(`${path.join(dir, WORKFLOW_FILE)} already exists; pass --force to overwrite it`);
  }
  const integrations: Record<string, number> = {};
  if (options.fromPins) {
    const pins = await (await context.client()).call(routes.listPins, { params: { app: options.app } });
    for (const pin of pins.data) integrations[pin.integration] = pin.version;
  }
  // writeProject points `$schema` at the schema as seen from this folder.
  const project: ProjectFile = { app: options.app, out: options.out, integrations };
  const file = path.join(dir, PROJECT_FILE);
  await writeProject(file, project);
  return { file, project, ...(options.ci ? { workflow: await writeWorkflow(dir, options) } : {}) };
}

/** Where `--ci github` writes its workflow, from the repository root (run init there). */
export const WORKFLOW_FILE = path.join(".github", "workflows", "waygate.yml");

/** templates/ci/github.yml, pinned to this CLI's version so CI generates exactly what this one does. */
async function writeWorkflow(dir: string, options: Pick<InitOptions, "force">): Promise<string> {
  const file = path.join(dir, WORKFLOW_FILE);
  if (!options.force && existsSync(file)) throw new ConflictError(`${file} already exists; pass --force to overwrite it`);
  const template = await readFile(path.join(templatesDir(), "ci", "github.yml"), "utf8");
  await mkdir(path.dirname(file), { recursive: true });
  await writeFileAtomic(file, template.replaceAll("__WAYGATE_VERSION__", VERSION), 0o644);
  return file;
}

export function render(result: InitResult, io: IO): void {
  if (result.file && result.project) {
    const count = Object.keys(result.project.integrations).length;
    io.out(`Wrote ${result.file} for app ${result.project.app}${count ? ` with ${count} pinned integration(s)` : ""}.`);
  }
  if (result.workflow) {
    io.out(`Wrote ${result.workflow}: it runs \`waygate generate --check\` on pull requests.`);
    io.err("Set the secrets WAYGATE_API_URL and WAYGATE_API_KEY (an app key is enough) in the repository's Actions settings.");
  }
}
