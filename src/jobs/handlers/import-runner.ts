import { fork } from "node:child_process";
import { setPriority } from "node:os";
import type { ImportOptions, ImportOutcome, ImportProgress, ImportSource } from "../../importer/index.js";

/** What the import process runs: the import's data, without its callbacks. */
export interface ImportProcessRequest {
  source: ImportSource;
  options: Omit<ImportOptions, "onProgress" | "signal" | "dispatcher">;
}

/**
 * Parent → child over IPC, once: the request without the document's bytes, which follow on the
 * child's stdin (`document` says how many, and whether they were a string).
 */
export interface ImportProcessCommand {
  kind: "run";
  source: Exclude<ImportSource, { kind: "content" }> | Omit<Extract<ImportSource, { kind: "content" }>, "content">;
  document: { bytes: number; text: boolean } | null;
  options: ImportProcessRequest["options"];
}

/** Child → parent. */
export type ImportProcessMessage = { kind: "progress"; progress: ImportProgress } | { kind: "outcome"; outcome: ImportOutcome };

/** A hostile or enormous document exhausts this heap and fails its import, not the server. */
export const IMPORT_HEAP_MB = 2_048;

/** The module imports run in (forked as a child process), its heap limit, and where its stderr goes. */
export interface ImportProcess {
  module: URL;
  /** Default IMPORT_HEAP_MB. */
  heapMb?: number;
  /** Receives the child's stderr, line by line, prefixed with its pid. Default the server's stderr. */
  diagnostics?: (line: string) => void;
}

/**
 * Variables the import process keeps from the server's environment: only where to find extra
 * CA certificates, so that it trusts the same docs hosts as the server. Nothing else crosses
 * (no database URL, encryption key, LLM key): what the import needs travels in its request.
 */
const INHERITED_ENV = ["NODE_EXTRA_CA_CERTS", "SSL_CERT_FILE", "SSL_CERT_DIR"] as const;

/**
 * Niceness of the import process: on a busy machine an import is background work, and the
 * server's own thread (answering API and gateway calls) gets the CPU first.
 */
const IMPORT_NICENESS = 10;

/** How much of the child's stderr (in characters) an error message quotes. */
const STDERR_TAIL_CHARS = 4_096;

/** What V8 prints (then aborts) when a heap limit is reached: "FATAL ERROR: … JavaScript heap out of memory". */
const OUT_OF_MEMORY = /JavaScript heap out of memory|Fatal process out of memory/;

/** The built `import-process.js` (bundled, this module sits in a chunk beside it at the root of dist/); null from sources. */
function builtProcess(): ImportProcess | null {
  return import.meta.url.endsWith(".ts") ? null : { module: new URL("./import-process.js", import.meta.url) };
}

/**
 * Runs an import in a child process of its own. Parsing and normalising a large spec is
 * synchronous work (about a second for GitHub's): on the server's thread it would stall every
 * API and gateway call meanwhile. A process rather than a worker thread because V8 does not
 * reliably contain a worker's out-of-memory: a document that exhausted a worker's heap could
 * abort the whole server. A process's heap limit (`--max-old-space-size`) is its own, its
 * death is the import's failure, and cancelling the job kills it.
 *
 * The document's bytes go down the child's stdin, the rest of the request over IPC. Not the
 * document over IPC: V8-serializing 13 MB (GitHub's spec) held the server's event loop for
 * 120-250 ms, where handing the buffer to a pipe takes under a millisecond. Not a temp file:
 * the bytes are already in memory, and a file would outlive a killed server with a tenant's
 * document in it. The pipe dies with either process.
 *
 * Running from the TypeScript sources (the test suite), there is no built module to fork, and
 * the import runs in-process instead; the built package always uses a child process. Tests
 * pass `child` to run the built one.
 */
export async function runImport(
  request: ImportProcessRequest,
  hooks: { onProgress: (progress: ImportProgress) => void; signal: AbortSignal },
  child: ImportProcess | null = builtProcess(),
): Promise<ImportOutcome> {
  if (!child) {
    const { importDocument } = await import("../../importer/index.js");
    return importDocument(request.source, { ...request.options, onProgress: hooks.onProgress, signal: hooks.signal });
  }
  if (hooks.signal.aborted) throw abortError(hooks.signal);
  const heapMb = child.heapMb ?? IMPORT_HEAP_MB;
  const subprocess = fork(child.module, [], {
    execArgv: [`--max-old-space-size=${heapMb}`],
    env: inheritedEnv(process.env),
    serialization: "advanced",
    // The import module writes nothing to stdout (the server's stdout is its URL, for scripts).
    stdio: ["pipe", "ignore", "pipe", "ipc"],
  });
  if (subprocess.pid !== undefined) {
    try {
      setPriority(subprocess.pid, IMPORT_NICENESS);
    } catch {
      // Not permitted here (some sandboxes): the import then runs at the server's priority.
    }
  }
  const stderr = new StderrCapture(subprocess.pid, child.diagnostics ?? ((line) => void process.stderr.write(`${line}\n`)));
  // (The streams are missing only when the process could not start; "error" below reports that.)
  subprocess.stderr?.setEncoding("utf8").on("data", (text: string) => stderr.write(text));

  return new Promise<ImportOutcome>((resolve, reject) => {
    let outcome: ImportOutcome | undefined;
    let aborted = false;
    const abort = () => {
      aborted = true;
      subprocess.kill("SIGKILL");
    };
    hooks.signal.addEventListener("abort", abort, { once: true });
    subprocess.on("message", (message: ImportProcessMessage) => {
      if (message.kind === "progress") hooks.onProgress(message.progress);
      else outcome = message.outcome;
    });
    subprocess.on("error", (error) => {
      // Only a process that never started has no pid; it sends no "close" either.
      if (subprocess.pid !== undefined) return;
      hooks.signal.removeEventListener("abort", abort);
      reject(new Error(`the import process could not start: ${error.message}`));
    });
    // Writing fails only when the child is already gone (EPIPE); "close" below says why.
    const { command, document } = splitDocument(request);
    subprocess.send(command, () => {});
    subprocess.stdin?.on("error", () => {});
    subprocess.stdin?.end(document);
    // "close" comes after the exit, the last message and the end of stderr: all of the child is in.
    subprocess.on("close", (code, signal) => {
      hooks.signal.removeEventListener("abort", abort);
      stderr.end();
      if (aborted) reject(abortError(hooks.signal));
      else if (outcome) resolve(outcome);
      else if (stderr.outOfMemory) {
        resolve({ kind: "failed", error: { code: "document_limit", message: `importing the document needed more than ${heapMb} MB of memory` }, warnings: [] });
      } else {
        const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
        const tail = stderr.tail().trim();
        reject(new Error(`the import process ${how} without an outcome${tail ? `; its stderr ended with:\n${tail}` : ""}`));
      }
    });
  });
}

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error(`import aborted: ${String(signal.reason)}`);
}

/** The request as the child takes it: the document's bytes apart from the rest. */
function splitDocument({ source, options }: ImportProcessRequest): { command: ImportProcessCommand; document: Uint8Array | undefined } {
  if (source.kind !== "content") return { command: { kind: "run", source, document: null, options }, document: undefined };
  const { content, ...rest } = source;
  const text = typeof content === "string";
  const document = text ? Buffer.from(content, "utf8") : content;
  return { command: { kind: "run", source: rest, document: { bytes: document.byteLength, text }, options }, document };
}

function inheritedEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const kept: NodeJS.ProcessEnv = {};
  for (const name of INHERITED_ENV) if (env[name] !== undefined) kept[name] = env[name];
  return kept;
}

/**
 * The child's output: passed on line by line as it comes (an operator sees why an import
 * process died), and its last few kilobytes kept for the error that reports the death.
 */
class StderrCapture {
  private pending = "";
  private kept = "";
  /** Whether V8 said it ran out of heap; looked for as the text comes, so a long trace after it cannot push it out of the tail. */
  outOfMemory = false;

  constructor(
    private readonly pid: number | undefined,
    private readonly forward: (line: string) => void,
  ) {}

  write(text: string): void {
    // The end of what came before as well: the words may be split between two chunks.
    this.outOfMemory ||= OUT_OF_MEMORY.test(this.kept.slice(-100) + text);
    this.kept = (this.kept + text).slice(-STDERR_TAIL_CHARS);
    const lines = (this.pending + text).split("\n");
    this.pending = lines.pop()!;
    for (const line of lines) this.forward(`[import process ${this.pid ?? "?"}] ${line}`);
  }

  end(): void {
    if (this.pending) this.forward(`[import process ${this.pid ?? "?"}] ${this.pending}`);
    this.pending = "";
  }

  tail(): string {
    return this.kept;
  }
}
