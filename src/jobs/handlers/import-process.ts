/**
 * The import process's entry point (built as `dist/import-process.js`, forked by
 * import-runner.ts): takes one import command over IPC and the document's bytes on stdin, posts
 * progress and the outcome back, and exits. It ends as well when the server goes away, so an
 * import never outlives the server that started it.
 */
import { Worker } from "node:worker_threads";
import { importDocument, type ImportSource } from "../../importer/index.js";
import type { ImportProcessCommand, ImportProcessMessage } from "./import-runner.js";

if (!process.send) {
  process.stderr.write("import-process.js runs imports for the Waygate server, which forks it with an IPC channel; it cannot run on its own\n");
  process.exit(2);
}

let finished = false;
// After the outcome, this process let go of the channel itself; before it, the server died or
// killed the channel, and nobody is left to take the outcome.
process.on("disconnect", () => process.exit(finished ? 0 : 1));

/**
 * "disconnect" needs this thread's event loop, and an import spends seconds in synchronous
 * parsing and normalising: a killed server's import would run on to its end. A watchdog thread
 * notices within a quarter second that this process was handed to another parent, and kills it.
 */
const PARENT_WATCHDOG = `
  const { workerData: server } = require("node:worker_threads");
  setInterval(() => { if (process.ppid !== server) process.kill(process.pid, "SIGKILL"); }, 250);
`;
new Worker(PARENT_WATCHDOG, { eval: true, workerData: process.ppid }).unref();

const post = (message: ImportProcessMessage) => new Promise<void>((resolve, reject) => process.send!(message, undefined, {}, (error) => (error ? reject(error) : resolve())));

/** Exactly `bytes` bytes from stdin. */
async function readDocument(bytes: number): Promise<Buffer> {
  const document = Buffer.allocUnsafe(bytes);
  let received = 0;
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
    if (received + chunk.byteLength > bytes) throw new Error(`stdin carried more than the ${bytes} bytes of the document`);
    chunk.copy(document, received);
    received += chunk.byteLength;
  }
  if (received !== bytes) throw new Error(`stdin ended after ${received} of the document's ${bytes} bytes`);
  return document;
}

async function run({ source, document, options }: ImportProcessCommand): Promise<void> {
  let full: ImportSource;
  if (source.kind === "content") {
    if (!document) throw new Error("a content source came without its document");
    const bytes = await readDocument(document.bytes);
    full = { ...source, content: document.text ? bytes.toString("utf8") : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
  } else full = source;
  const outcome = await importDocument(full, { ...options, onProgress: (progress) => void post({ kind: "progress", progress }).catch(() => {}) });
  await post({ kind: "outcome", outcome });
  finished = true;
  process.disconnect();
}

process.once("message", (command: ImportProcessCommand) => {
  run(command).catch((error: unknown) => {
    // A bug (the importer returns expected failures as outcomes): the server reports the exit with this stderr.
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
});
