import { spawn } from "node:child_process";
import { routes, type ConnectSession } from "../../../contract/index.js";
import type { Context } from "../../context.js";
import { CliError, ExitCode } from "../../errors.js";
import type { IO } from "../../io.js";

export interface ConnectOptions {
  integration: string;
  user: string;
  app?: string;
  open?: boolean;
  expiresIn?: number;
  wait: boolean;
}

export interface ConnectResult {
  url: string;
  session: ConnectSession;
}

const POLL_MS = 1_000;

/**
 * Creates a connect session for one end user and, unless --no-wait, polls it until the
 * end user has connected, the flow failed, or the link expired. The link goes to stdout at
 * once (a script can pass it on); progress goes to stderr, as a spinner on a terminal.
 */
export async function run(context: Context, options: ConnectOptions): Promise<ConnectResult> {
  const { io } = context;
  const client = await context.client();
  const created = await client.call(routes.createConnectSession, {
    body: { user: options.user, integrations: [options.integration], ...(options.app ? { app: options.app } : {}), ...(options.expiresIn ? { expiresInSeconds: options.expiresIn } : {}) },
  });
  // With --json, stdout is kept for the one JSON document at the end: the link goes to stderr.
  if (context.globals.json) io.err(created.url);
  else io.out(created.url);
  if (options.open) openInBrowser(created.url, io);
  let session = await client.call(routes.getConnectSession, { params: { sessionId: created.id } });
  if (!options.wait) return { url: created.url, session };

  const quiet = context.globals.json;
  const waiting = `Waiting for ${options.user} to connect ${options.integration} (the link works until ${created.expiresAt.slice(0, 16).replace("T", " ")} UTC)`;
  const spinner = io.stderrIsTTY && !quiet ? (await import("ora")).default({ stream: io.stderrStream, text: waiting, discardStdin: false }).start() : undefined;
  if (!spinner && !quiet) io.err(`${waiting}…`);
  try {
    while (session.status === "pending" || session.status === "authorizing") {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      session = await client.call(routes.getConnectSession, { params: { sessionId: created.id } });
    }
  } catch (error) {
    spinner?.stop();
    throw error;
  }
  if (session.status === "connected") {
    spinner?.succeed(`${options.user} connected ${options.integration}`);
    return { url: created.url, session };
  }
  const reason = session.status === "expired" ? "the link expired before the end user connected" : `the end user did not connect (${session.error ?? "failed"})`;
  spinner?.fail(reason);
  throw new CliError(`${reason}: make a new link with \`waygate connect ${options.integration} --user ${options.user}${options.app ? ` --app ${options.app}` : ""}\``, ExitCode.error);
}

export function render(result: ConnectResult, io: IO): void {
  if (result.session.status === "connected") io.out(`Connected: ${result.session.connectionId} (${result.session.app.name}, user ${result.session.externalUserId}).`);
  else io.err(`Send the end user to the link above; check it with \`waygate connect\` again or \`GET /v1/connect/sessions/${result.session.id}\`.`);
}

/** The platform's opener, detached: the CLI does not wait for the browser. */
function openInBrowser(url: string, io: IO): void {
  const [command, args] = process.platform === "darwin" ? ["open", [url]] : process.platform === "win32" ? ["cmd", ["/c", "start", '""', url]] : ["xdg-open", [url]];
  try {
    const child = spawn(command, args, { detached: true, stdio: "ignore" });
    child.on("error", () => io.err(`Could not open a browser (${command}); open the link yourself.`));
    child.unref();
  } catch {
    io.err(`Could not open a browser (${command}); open the link yourself.`);
  }
}
