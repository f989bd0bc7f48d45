import { Writable } from "node:stream";

/**
 * The only place the CLI touches the terminal. Commands write through an IO; tests build
 * one over buffers (see createBufferIO) and flip TTY and colour as they need.
 */
export interface IO {
  /** One line (or block) of output for stdout; a newline is added. */
  out(text: string): void;
  /** One line for stderr: messages, hints, progress, errors. */
  err(text: string): void;
  readonly stdoutIsTTY: boolean;
  readonly stdinIsTTY: boolean;
  readonly stderrIsTTY: boolean;
  /** The terminal's width when stdout is one; tables fit it. Undefined for pipes and files. */
  readonly columns?: number | undefined;
  readonly color: boolean;
  /** All of stdin as text (for --with-token and `-` inputs). */
  readStdin(): Promise<string>;
  /** Streams handed to libraries that write themselves (prompts, spinners). */
  readonly stdinStream: NodeJS.ReadableStream;
  readonly stderrStream: NodeJS.WritableStream;
  /** Raw stdout for a protocol spoken over it (`waygate mcp`): nothing else may write there meanwhile. */
  readonly stdoutStream: NodeJS.WritableStream;
}

export function processIO(options: { color: boolean }): IO {
  return {
    out: (text) => void process.stdout.write(text + "\n"),
    err: (text) => void process.stderr.write(text + "\n"),
    stdoutIsTTY: process.stdout.isTTY === true,
    stdinIsTTY: process.stdin.isTTY === true,
    stderrIsTTY: process.stderr.isTTY === true,
    // A pseudo-terminal that reports no size (0) counts as unknown.
    columns: process.stdout.isTTY === true && process.stdout.columns > 0 ? process.stdout.columns : undefined,
    color: options.color,
    readStdin: () => readAll(process.stdin),
    stdinStream: process.stdin,
    stderrStream: process.stderr,
    stdoutStream: process.stdout,
  };
}

/** Colour only for a terminal, and never under NO_COLOR (https://no-color.org) or --no-color. */
export function wantsColor(env: NodeJS.ProcessEnv, flag: boolean): boolean {
  if (!flag || (env.NO_COLOR !== undefined && env.NO_COLOR !== "")) return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "0") return true;
  return process.stdout.isTTY === true && env.TERM !== "dumb";
}

export interface BufferIO extends IO {
  stdout(): string;
  stderr(): string;
}

export function createBufferIO(options: { tty?: boolean; columns?: number; stdin?: string; color?: boolean } = {}): BufferIO {
  let stdout = "";
  let stderr = "";
  const stderrStream = new Writable({
    write(chunk, _encoding, done) {
      stderr += String(chunk);
      done();
    },
  });
  const stdoutStream = new Writable({
    write(chunk, _encoding, done) {
      stdout += String(chunk);
      done();
    },
  });
  return {
    out: (text) => void (stdout += text + "\n"),
    err: (text) => void (stderr += text + "\n"),
    stdoutIsTTY: options.tty ?? false,
    stdinIsTTY: options.tty ?? false,
    stderrIsTTY: options.tty ?? false,
    columns: options.tty ? (options.columns ?? 80) : undefined,
    color: options.color ?? false,
    readStdin: async () => options.stdin ?? "",
    stdinStream: process.stdin,
    stderrStream,
    stdoutStream,
    stdout: () => stdout,
    stderr: () => stderr,
  };
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString("utf8");
}

const ANSI = { bold: [1, 22], dim: [2, 22], red: [31, 39], green: [32, 39], yellow: [33, 39], cyan: [36, 39] } as const;
export type Style = keyof typeof ANSI;

export function style(io: IO, name: Style, text: string): string {
  if (!io.color) return text;
  const [open, close] = ANSI[name];
  return `\u001b[${open}m${text}\u001b[${close}m`;
}
