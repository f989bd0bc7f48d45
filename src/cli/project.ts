import { readFile } from "node:fs/promises";
import path from "node:path";
import { ProjectFileSchema, type ProjectFile } from "../contract/index.js";
import { CliError } from "./errors.js";
import { writeFileAtomic } from "./fs-atomic.js";

export const PROJECT_FILE = "waygate.json";
/** Editors validate waygate.json against the schema shipped in the package. */
export const PROJECT_SCHEMA_REF = "./node_modules/waygate/waygate.schema.json";

/** Reads `waygate.json` from `dir`; undefined when there is none. Invalid content is an error naming the file. */
export async function readProject(dir: string): Promise<{ file: string; project: ProjectFile } | undefined> {
  const file = path.join(dir, PROJECT_FILE);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new CliError(`${file} is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = ProjectFileSchema.safeParse(json);
  if (!parsed.success) {
    const lines = parsed.error.issues.slice(0, 5).map((issue) => `  ${issue.path.join(".") || "(root)"}: ${issue.message}`);
    throw new CliError(`${file} is not a valid project file:\n${lines.join("\n")}`);
  }
  return { file, project: parsed.data };
}

/** Writes the project file with sorted integrations, so diffs in review stay small. */
export async function writeProject(file: string, project: ProjectFile): Promise<void> {
  const integrations = Object.fromEntries(Object.entries(project.integrations).sort(([a], [b]) => a.localeCompare(b)));
  const ordered: ProjectFile = { $schema: project.$schema ?? PROJECT_SCHEMA_REF, app: project.app, out: project.out, integrations };
  await writeFileAtomic(file, JSON.stringify(ordered, null, 2) + "\n", 0o644);
}
