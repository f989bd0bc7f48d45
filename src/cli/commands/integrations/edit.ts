import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { routes, type CreatedIntegration, type IntegrationDefinition } from "../../../contract/index.js";
import type { WaygateClient } from "../../../client/index.js";
import type { Context } from "../../context.js";
import { CliError, UsageError } from "../../errors.js";
import type { IO } from "../../io.js";
import { parseDefinition, readDefinitionFile } from "./definition-file.js";

export interface EditOptions {
  slug: string;
  /** The edited definition; without it the current one opens in $VISUAL / $EDITOR. */
  file?: string;
  draft: boolean;
}

export type EditResult = (CreatedIntegration & { draft: boolean }) | { unchanged: true; slug: string; version: number };

/**
 * Corrects an integration without importing it again: the current definition, edited by a
 * person, saved as the next version (its changelog says what changed). An edit that does
 * not parse is kept on disk and its path printed, so no work is lost.
 */
export async function run(context: Context, options: EditOptions): Promise<EditResult> {
  // A file is read and checked before anything else, so a bad one fails without a server or a login.
  if (options.file !== undefined) {
    const definition = await readDefinitionFile(context, options.file);
    return save(await context.client(), options, definition);
  }
  const client = await context.client();

  const editor = context.env.VISUAL || context.env.EDITOR;
  if (!editor) throw new UsageError("set VISUAL or EDITOR to the editor to open, or pass the edited definition with --file");
  const integration = await client.call(routes.getIntegration, { params: { slug: options.slug } });
  if (integration.currentVersion === null) throw new CliError(`${options.slug} has no current version to edit: publish one first (waygate versions publish)`);
  const current = await client.call(routes.getDefinition, { params: { slug: options.slug, version: integration.currentVersion } });
  const original = `${JSON.stringify(current, null, 2)}\n`;

  // A folder of our own (0700) so no other user can swap the file between writes.
  const folder = mkdtempSync(path.join(tmpdir(), "waygate-edit-"));
  const file = path.join(folder, `${options.slug}.json`);
  writeFileSync(file, original, { mode: 0o600 });
  // The editor may carry arguments ("code --wait"), so a shell runs it; the file name is ours.
  const opened = spawnSync(`${editor} "${file}"`, { shell: true, stdio: "inherit" });
  if (opened.error || opened.status !== 0) {
    rmSync(folder, { recursive: true, force: true });
    throw new CliError(`the editor (${editor}) ${opened.error ? `could not start: ${opened.error.message}` : `exited with ${opened.status ?? opened.signal}`}; nothing was saved`);
  }
  const edited = readFileSync(file, "utf8");
  if (edited === original) {
    rmSync(folder, { recursive: true, force: true });
    return { unchanged: true, slug: options.slug, version: integration.currentVersion };
  }
  let definition: IntegrationDefinition;
  try {
    definition = parseDefinition(edited, file);
  } catch (error) {
    throw new CliError(`${(error as Error).message}\nYour edit is kept in ${file}: fix it and run \`waygate integrations edit ${options.slug} --file ${file}\``);
  }
  const saved = await save(client, options, definition);
  rmSync(folder, { recursive: true, force: true });
  return saved;
}

async function save(client: WaygateClient, options: EditOptions, definition: IntegrationDefinition): Promise<CreatedIntegration & { draft: boolean }> {
  if (definition.slug !== options.slug) {
    throw new UsageError(`the definition is for "${definition.slug}", not "${options.slug}": the slug names the integration and cannot be edited`);
  }
  const created = await client.call(routes.createIntegration, { body: definition, query: { draft: options.draft ? "true" : "false" } });
  return { ...created, draft: options.draft };
}

export function render(result: EditResult, io: IO): void {
  if ("unchanged" in result) {
    io.out(`Nothing changed: ${result.slug} stays at version ${result.version}.`);
    return;
  }
  const { slug } = result.integration;
  if (!result.created) io.out(`${slug} is unchanged: version ${result.version} already has this content.`);
  else if (result.draft) io.out(`Saved ${slug} version ${result.version} as a draft; publish it with \`waygate versions publish ${slug} ${result.version}\`.`);
  else io.out(`Saved ${slug} version ${result.version}; it is current (apps pinned to earlier versions stay on them).`);
}
