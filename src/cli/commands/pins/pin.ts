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
  /** Without --save: the other version ./waygate.json records for this app and integration (the client is typed for it). */
  projectVersion: number | null;
}

export async function run(context: Context, options: PinOptions): Promise<PinResult> {
  // Read the project file first: a broken one should stop us before the server changes.
  const project = options.save ? await readProject(process.cwd()) : undefined;
  if (options.save && !project) throw new CliError(`no ${PROJECT_FILE} here; create one with \`waygate init --app ${options.app}\``);
  // Without --save a broken or absent waygate.json is none of this command's business; it only feeds the warning below.
  const unsaved = options.save ? undefined : await readProject(process.cwd()).catch(() => undefined);
  const pin = await (await context.client()).call(routes.setPin, {
    params: { app: options.app, slug: options.integration },
    body: { version: options.version },
  });
  if (project) {
    project.project.integrations[options.integration] = options.version;
    await writeProject(project.file, project.project);
  }
  const recorded = unsaved?.project.app === options.app ? unsaved.project.integrations[options.integration] : undefined;
  return { ...pin, app: options.app, savedTo: project?.file ?? null, projectVersion: recorded !== undefined && recorded !== pin.version ? recorded : null };
}

export function render(result: PinResult, io: IO): void {
  const note = result.currentVersion !== null && result.currentVersion !== result.version ? ` (current is ${result.currentVersion})` : "";
  io.out(`Pinned ${result.app} to ${result.integration}@${result.version}${note}.${result.savedTo ? ` Saved in ${result.savedTo}.` : ""}`);
  if (result.projectVersion !== null) {
    io.err(
      `${PROJECT_FILE} still has ${result.integration}@${result.projectVersion}, and the client is typed for it: \`waygate generate --check\` fails until they agree. ` +
        `Record the new pin with \`waygate pins sync --from-server\` (then \`waygate generate\`), or pin with --save next time.`,
    );
  }
}
