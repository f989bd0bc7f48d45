import { VERSION } from "../version.js";

/**
 * The CLI entry point; it only sets the exit code, never exits. `--version` is answered
 * here, before anything else is imported, so scripts that probe it pay for bare Node
 * start-up only. (It is not a commander option: commander would take a global
 * `--version` anywhere in argv, shadowing `actions list <slug> --version N`.)
 */
const argv = process.argv.slice(2);

// `waygate … | head` closes stdout early: that is the reader's choice, not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw error;
  });
}
if (argv[0] === "--version" || argv[0] === "-v") {
  process.stdout.write(VERSION + "\n");
} else {
  const { runCli } = await import("./run.js");
  process.exitCode = await runCli(argv);
}
