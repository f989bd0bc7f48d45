import { problemTypes, problemTypeUri, routes } from "../../../contract/index.js";
import type { Context } from "../../context.js";
import { CliError, ExitCode, UsageError } from "../../errors.js";
import type { IO } from "../../io.js";
import { PROJECT_FILE, readProject, writeProject } from "../../project.js";
import { pinDifferences } from "./compare.js";

export interface SyncOptions {
  /** Default: `app` in waygate.json. */
  app?: string;
  /** Write waygate.json from the server's pins instead of pinning the server to waygate.json. */
  fromServer: boolean;
  /** Pinning the server: also unpin integrations waygate.json does not list. */
  prune: boolean;
  dryRun: boolean;
  /** Where waygate.json is looked for; defaults to the process's. */
  cwd?: string;
}

/** One integration's version on the side being written; null: unpinned (server) or absent (waygate.json). */
export interface SyncChange {
  integration: string;
  from: number | null;
  to: number | null;
}

export interface SyncResult {
  app: string;
  /** `server`: the app's pins were set from waygate.json; `project`: waygate.json was written from the pins. */
  wrote: "server" | "project";
  file: string;
  changes: SyncChange[];
  /** False when there was nothing to change, or with --dry-run. */
  applied: boolean;
  dryRun: boolean;
  /** Pins on the server that waygate.json does not list, left as they are (pass --prune to unpin them). */
  untouched: Array<{ integration: string; version: number }>;
}

/**
 * Brings waygate.json and the server's pins for its app together. waygate.json is what
 * the repository builds against, so by default the server is pinned to it; with
 * `--from-server` waygate.json takes the server's pins (then regenerate the client).
 */
export async function run(context: Context, options: SyncOptions): Promise<SyncResult> {
  if (options.fromServer && options.prune) throw new UsageError("--prune unpins on the server; --from-server writes waygate.json (every server pin, nothing else): use one");
  const project = await readProject(options.cwd ?? process.cwd());
  if (!project) throw new CliError(`no ${PROJECT_FILE} here; create one with \`waygate init --app <app>\``);
  const app = options.app ?? project.project.app;
  const client = await context.client();
  const pins = (await client.call(routes.listPins, { params: { app } })).data;
  const wrote = options.fromServer ? "project" : "server";
  const differences = pinDifferences(project.project.integrations, pins, options.fromServer || options.prune ? "all" : "project");
  const changes: SyncChange[] = differences.map((d) =>
    options.fromServer ? { integration: d.integration, from: d.project, to: d.server } : { integration: d.integration, from: d.server, to: d.project },
  );
  const untouched = options.fromServer || options.prune ? [] : pins.filter((pin) => !Object.hasOwn(project.project.integrations, pin.integration));
  const result: SyncResult = {
    app,
    wrote,
    file: project.file,
    changes,
    applied: false,
    dryRun: options.dryRun,
    untouched: untouched.map((pin) => ({ integration: pin.integration, version: pin.version })),
  };
  if (changes.length === 0 || options.dryRun) return result;
  await confirm(context, result);

  if (wrote === "project") {
    const integrations: Record<string, number> = {};
    for (const pin of pins) integrations[pin.integration] = pin.version;
    await writeProject(project.file, { ...project.project, integrations });
  } else {
    // One integration at a time, in slug order; a refusal (a draft, an unknown version) stops here and says what was done.
    const done: SyncChange[] = [];
    for (const change of changes) {
      try {
        if (change.to === null) await client.call(routes.deletePin, { params: { app, slug: change.integration } });
        else await client.call(routes.setPin, { params: { app, slug: change.integration }, body: { version: change.to } });
      } catch (error) {
        if (done.length > 0 && error instanceof Error) error.message += ` (already changed on the server: ${done.map((change) => changeInWords(change, "server")).join(", ")})`;
        throw error;
      }
      done.push(change);
    }
  }
  return { ...result, applied: true };
}

/** Asks on a terminal; without one (CI, pipes, --json scripts) the change needs --yes. */
async function confirm(context: Context, result: SyncResult): Promise<void> {
  if (context.globals.yes) return;
  const plan = planInWords(result);
  if (!context.prompter.interactive) {
    const detail = `${plan.join("\n")}\nConfirm with --yes (no terminal to ask on), or look first with --dry-run.`;
    throw new CliError(detail, ExitCode.usage, { type: problemTypeUri("bad-request"), title: problemTypes["bad-request"].title, status: 400, detail, code: "confirmation-required" });
  }
  for (const line of plan) context.io.err(line);
  if (!(await context.prompter.confirm(result.wrote === "server" ? "Change the server's pins?" : `Write ${result.file}?`))) {
    throw new CliError("cancelled", ExitCode.usage);
  }
}

function planInWords(result: SyncResult): string[] {
  const head =
    result.wrote === "server"
      ? `${result.dryRun || !result.applied ? "Would pin" : "Pinned"} ${result.app} on the server to ${result.file}:`
      : `${result.dryRun || !result.applied ? "Would write" : "Wrote"} ${result.file} from the server's pins for ${result.app}:`;
  return [head, ...result.changes.map((change) => `  ${changeInWords(change, result.wrote)}`)];
}

/** `github 2 → 1`; on the server an absent version is "unpinned", in waygate.json "not listed". */
function changeInWords(change: SyncChange, wrote: SyncResult["wrote"]): string {
  const none = wrote === "server" ? "unpinned" : "not listed";
  return `${change.integration} ${change.from ?? none} → ${change.to ?? none}`;
}

export function render(result: SyncResult, io: IO): void {
  if (result.changes.length === 0) {
    io.out(`${result.file} and the server's pins for ${result.app} agree.`);
  } else {
    for (const line of planInWords(result)) io.out(line);
    if (result.applied && result.wrote === "project") io.err("Regenerate the client for these versions with `waygate generate`.");
  }
  if (result.untouched.length > 0) {
    io.err(
      `Left as they are: ${result.untouched.map((pin) => `${pin.integration}@${pin.version}`).join(", ")} ` +
        `(pinned on the server, not in ${PROJECT_FILE}; --prune unpins them).`,
    );
  }
}
