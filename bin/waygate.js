#!/usr/bin/env node
// Launcher only. The compile cache (Node >= 22.1) keeps V8 bytecode of the CLI and its
// dependencies on disk, so repeated runs skip parsing and compiling them.
import module from "node:module";

module.enableCompileCache?.();
await import("../dist/cli/main.js");
