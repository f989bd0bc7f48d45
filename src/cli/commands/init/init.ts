import path from "node:path";
import { AppNameSchema, routes, type ProjectFile } from "../../../contract/index.js";
import type { Context } from "../../context.js";
import { ConflictError, UsageError } from "../../errors.js";
import type { IO } from "../../io.js";
import { PROJECT_FILE, readProject, writeProject } from "../../project.js";

export interface InitOptions {
  app: string;
  out: string;
  fromPins: boolean;
  force: boolean;
}

export interface InitResult {
  file: string;
  project: ProjectFile;
}

export async function run(context: Context, options: InitOptions): Promise<InitResult> {
  if (!AppNameSchema.safeParse(options.app).success) throw new UsageError(`"${options.app}" is not an app name (lowercase letters, digits and dashes)`);
  const dir = process.cwd();
  if (!options.force && (await readProject(dir).catch(() => ({ exists: true })))) {
    throw new ConflictError(`${path.join(dir, PROJECT_FILE)} already exists; pass --force to overwrite it`);
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
  return { file, project };
}

export function render(result: InitResult, io: IO): void {
  const count = Object.keys(result.project.integrations).length;
  io.out(`Wrote ${result.file} for app ${result.project.app}${count ? ` with ${count} pinned integration(s)` : ""}.`);
}
