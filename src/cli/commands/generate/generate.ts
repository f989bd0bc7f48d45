import path from "node:path";
import { routes } from "../../../contract/index.js";
import { VERSION } from "../../../version.js";
import type { Context } from "../../context.js";
import { CliError, ConflictError } from "../../errors.js";
import type { IO } from "../../io.js";
import { readProject } from "../../project.js";
import { applyPlan, GENERATED_MARKER, planFiles, type PlannedFile } from "./files.js";

export interface GenerateOptions {
  out?: string;
  app?: string;
  check: boolean;
}

export interface GenerateResult {
  out: string;
  manifestHash: string;
  integrations: Array<{ slug: string; version: number; actions: number }>;
  files: PlannedFile[];
  checked: boolean;
}

export async function run(context: Context, options: GenerateOptions): Promise<GenerateResult> {
  const project = await readProject(process.cwd());
  const out = path.resolve(options.out ?? project?.project.out ?? "./waygate");
  const app = options.app ?? project?.project.app;
  const pinned = project ? Object.entries(project.project.integrations) : [];
  const client = await context.client();
  const manifest = await client.call(routes.getManifest, {
    query: {
      app,
      integrations: pinned.length ? pinned.map(([slug, version]) => `${slug}@${version}`).join(",") : undefined,
    },
  });
  if (manifest.integrations.length === 0) {
    throw new CliError("there is nothing to generate: no published integrations" + (app ? ` for app ${app}` : "") + "; import one with `waygate scrape`");
  }

  // ts-morph, openapi-typescript and the TypeScript compiler: loaded only here.
  const { generateClient } = await import("../../../codegen/index.js");
  const files = generateClient(manifest, { generatorVersion: VERSION });
  for (const [file, text] of files) {
    if (!text.startsWith(GENERATED_MARKER)) throw new Error(`generated ${file} lacks the "${GENERATED_MARKER}" header`);
  }
  const plan = await planFiles(out, files);
  const summary = {
    out,
    manifestHash: manifest.hash,
    integrations: manifest.integrations.map((i) => ({ slug: i.slug, version: i.version, actions: i.actions.length })),
    files: plan,
    checked: options.check,
  };
  if (options.check) {
    const stale = plan.filter((file) => file.status !== "unchanged");
    if (stale.length > 0) {
      if (context.globals.json) context.io.out(JSON.stringify(summary, null, 2));
      throw new ConflictError(
        `the client in ${out} is out of date (${stale.map((f) => `${f.path} would be ${f.status}`).join(", ")}); run \`waygate generate\``,
      );
    }
    return summary;
  }
  await applyPlan(out, files, plan);
  return summary;
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
}
