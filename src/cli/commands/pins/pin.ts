import { routes, type Pin } from "../../../contract/index.js";
import type { Context } from "../../context.js";
import { CliError } from "../../errors.js";
import type { IO } from "../../io.js";
import { PROJECT_FILE, readProject, writeProject } from "../../project.js";

export interface PinOptions {
  app: string;
  integration: string;
  version: number;
  save: boolean;
}

export interface PinResult extends Pin {
  app: string;
  savedTo: string | null;
}

export async function run(context: Context, options: PinOptions): Promise<PinResult> {
  // Read the project file first: a broken one should stop us before the server changes.
  const project = options.save ? await readProject(process.cwd()) : undefined;
  if (options.save && !project) throw new CliError(`no ${PROJECT_FILE} here; create one with \`waygate init --app ${options.app}\``);
  const pin = await (await context.client()).call(routes.setPin, {
    params: { app: options.app, slug: options.integration },
    body: { version: options.version },
  });
  if (project) {
    project.project.integrations[options.integration] = options.version;
    await writeProject(project.file, project.project);
  }
  return { ...pin, app: options.app, savedTo: project?.file ?? null };
}

export function render(result: PinResult, io: IO): void {
  const note = result.currentVersion !== null && result.currentVersion !== result.version ? ` (current is ${result.currentVersion})` : "";
  io.out(`Pinned ${result.app} to ${result.integration}@${result.version}${note}.${result.savedTo ? ` Saved in ${result.savedTo}.` : ""}`);
}
