import { access, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ProjectFileSchema, type ProjectFile } from "../contract/index.js";
import { CliError } from "./errors.js";
import { writeFileAtomic } from "./fs-atomic.js";

export const PROJECT_FILE = "waygate.json";
const SCHEMA_FILE = "waygate.schema.json";

/**
 * Where a waygate.json in `dir` finds its JSON Schema (the package ships it), as a path
 * relative to `dir` for editors: the waygate the project installs (the nearest
 * `node_modules/waygate` above `dir`, as Node would resolve it, so a subfolder of a monorepo
 * gets `../../node_modules/…`), else this CLI's own copy when `dir` is inside its checkout.
 * Undefined otherwise (a global or npx waygate): a path into a cache would not resolve for
 * anyone else who opens the file, so none is written.
 */
export async function projectSchemaRef(dir: string): Promise<string | undefined> {
  const start = path.resolve(dir);
  for (let current = start; ; current = path.dirname(current)) {
    const installed = path.join(current, "node_modules", "waygate", SCHEMA_FILE);
    if (await exists(installed)) return relativeRef(start, installed);
    if (path.dirname(current) === current) break;
  }
  const own = await ownPackageRoot();
  if (own && (start === own || start.startsWith(own + path.sep))) return relativeRef(start, path.join(own, SCHEMA_FILE));
  return undefined;
}

/** The root of the package this code runs from (dist/… or src/cli/… below it). */
async function ownPackageRoot(): Promise<string | undefined> {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let up = 0; up < 4; up++, dir = path.dirname(dir)) {
    if ((await exists(path.join(dir, SCHEMA_FILE))) && (await exists(path.join(dir, "package.json")))) return dir;
  }
  return undefined;
}

function relativeRef(from: string, file: string): string {
  const relative = path.relative(from, file).split(path.sep).join("/");
  return relative.startsWith("../") ? relative : `./${relative}`;
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

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

/**
 * Writes the project file with sorted integrations, so diffs in review stay small. A file
 * without `$schema` gains one once the project installs waygate.
 */
export async function writeProject(file: string, project: ProjectFile): Promise<void> {
  const integrations = Object.fromEntries(Object.entries(project.integrations).sort(([a], [b]) => a.localeCompare(b)));
  const $schema = project.$schema ?? (await projectSchemaRef(path.dirname(file)));
  const ordered: ProjectFile = { ...($schema ? { $schema } : {}), app: project.app, out: project.out, integrations };
  await writeFileAtomic(file, JSON.stringify(ordered, null, 2) + "\n", 0o644);
}
