import { routes } from "../../../contract/index.js";
import type { Context } from "../../context.js";
import type { IO } from "../../io.js";
import { readProject, writeProject } from "../../project.js";

export interface UnpinResult {
  app: string;
  integration: string;
  savedTo: string | null;
}

export async function run(context: Context, options: { app: string; integration: string; save: boolean }): Promise<UnpinResult> {
  const project = options.save ? await readProject(process.cwd()) : undefined;
  await (await context.client()).call(routes.deletePin, { params: { app: options.app, slug: options.integration } });
  if (project && options.integration in project.project.integrations) {
    delete project.project.integrations[options.integration];
    await writeProject(project.file, project.project);
  }
  return { app: options.app, integration: options.integration, savedTo: project?.file ?? null };
}

export function render(result: UnpinResult, io: IO): void {
  io.out(`Unpinned ${result.integration} for ${result.app}: it follows the current version again.${result.savedTo ? ` Saved in ${result.savedTo}.` : ""}`);
}
