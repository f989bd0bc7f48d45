#!/usr/bin/env node
// Launcher only, in plain JavaScript that any Node can parse: an older Node is refused here
// with one line, before dist/ and its dependencies fail on it in obscure ways. The compile
// cache (Node >= 22.1) keeps V8 bytecode of the CLI and its dependencies on disk, so repeated
// runs skip parsing and compiling them.
import module from "node:module";
import { unsupportedNode } from "./node-version.js";

const refusal = unsupportedNode(process.version);
if (refusal) {
  process.stderr.write(refusal + "\n");
  process.exitCode = 1;
} else {
  module.enableCompileCache?.();
  await import("../dist/cli/main.js");
}
