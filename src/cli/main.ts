import { VERSION } from "../version.js";

/**
 * The CLI entry point and the only place that exits the process. `--version` is
 * answered before anything else is imported, so scripts that probe it pay for bare
 * Node start-up only.
 */
const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-v")) {
  process.stdout.write(VERSION + "\n");
} else {
  const { runCli } = await import("./run.js");
  process.exitCode = await runCli(argv);
}
