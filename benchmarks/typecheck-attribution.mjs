#!/usr/bin/env node
// Where the Waygate consumer's type-check time goes (see typecheck-consumer.mjs, which must have run with --keep).
//
// Copies the kept project into variants that differ only in waygate/github.types.d.ts, then runs
// `tsc -p … --extendedDiagnostics` (5.9 CLI) over all of them round by round and prints medians:
//
//   baseline        the consumer that only calls fetch (the lib and @types/node cost every project pays)
//   as-generated    the Waygate consumer as generated (an unchanged copy, so paths are the same depth)
//   no-comments     github.types.d.ts printed again without any comment: what the JSDoc (hover docs) costs
//   no-export       every `export` keyword dropped (a declaration file without `export {}` exports everything):
//                   one ExportKeyword node and one modifier list fewer per declaration
//   no-readonly     the Client's members without `readonly` (one keyword and one modifier list per action)
//   ascii-only      every character outside ASCII (a few dozen, all in doc comments) as `?`: the file's text as
//                   a one-byte string instead of a two-byte one (half the memory, a faster UTF-8 decode)
//   three-actions   github.types.d.ts cut to a Client with the three actions the consumer calls and small
//                   hand-written types: what the rest of the client (index.ts, github.ts, runtime.d.ts) costs
//
// and, measured in this process (deterministic), the AST nodes and symbols of github.types.d.ts by kind of
// declaration: what parsing and binding it creates.
//
//   node benchmarks/typecheck-consumer.mjs --keep --no-write && node benchmarks/typecheck-attribution.mjs
//   RUNS=15 node benchmarks/typecheck-attribution.mjs    # rounds (default 7)
//
// Each figure is a median of whole processes: wall time, CPU time (user + system, when /usr/bin/time is there) and
// tsc's own phase times. On a busy machine compare CPU, and only differences larger than the rounds' spread.
//
// The variants are left in node_modules/.cache/waygate-bench-typecheck-<variant> for paired runs, e.g.
//   farm-bench -n 15 --vs 'node node_modules/typescript/bin/tsc -p node_modules/.cache/waygate-bench-typecheck-as-generated/tsconfig.waygate.json' \
//     -- node node_modules/typescript/bin/tsc -p node_modules/.cache/waygate-bench-typecheck-no-comments/tsconfig.waygate.json
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const root = fileURLToPath(new URL("../", import.meta.url));
const kept = join(root, "node_modules/.cache/waygate-bench-typecheck");
const TSC59 = join(root, "node_modules/typescript/bin/tsc");
const runs = Math.max(1, Number(process.env.RUNS ?? 7));
if (!existsSync(join(kept, "waygate/github.types.d.ts"))) {
  console.error(`no kept project in ${kept}: run \`node benchmarks/typecheck-consumer.mjs --keep --no-write\` first`);
  process.exit(1);
}
const generatedTypes = readFileSync(join(kept, "waygate/github.types.d.ts"), "utf8");

/** Prints the declaration file again without comments (a regex would also cut `/*` inside string literal types). */
function withoutComments(text) {
  const file = ts.createSourceFile("github.types.d.ts", text, ts.ScriptTarget.ESNext, false, ts.ScriptKind.TS);
  return ts.createPrinter({ removeComments: true }).printFile(file);
}

// The three calls of the consumer in typecheck-consumer.mjs, with types just wide enough for its code.
const THREE_ACTIONS = `import type * as runtime from "./runtime.js";
export interface Client {
    readonly issues: {
        readonly create: runtime.Action<{ owner: string; repo: string; title: string | number }, { number: number }>;
        readonly listForRepo: runtime.PaginatedAction<{ owner: string; repo: string; state?: "open" | "closed" | "all"; per_page?: number }, { number: number }[], { number: number }>;
    };
    readonly repos: {
        readonly get: runtime.Action<{ owner: string; repo: string }, { stargazers_count: number }>;
    };
    readonly request: runtime.RawRequest;
}
export interface Waygate {
    readonly github: Client;
    withOptions(options: runtime.WaygateOptions): Waygate;
    readonly connect: runtime.ConnectClient;
}
export {};
`;

const VARIANTS = {
  "as-generated": generatedTypes,
  "no-comments": withoutComments(generatedTypes),
  "no-export": generatedTypes.replace(/^export (type|interface) /gm, "$1 ").replace(/^export \{\};$/m, ""),
  "no-readonly": generatedTypes.replace(/^( +)readonly /gm, "$1"),
  "ascii-only": generatedTypes.replace(/[^\t\n\r\x20-\x7e]/g, "?"),
  "three-actions": THREE_ACTIONS,
};
const projects = [["baseline", join(kept, "tsconfig.baseline.json")]];
for (const [variant, types] of Object.entries(VARIANTS)) {
  const dir = `${kept}-${variant}`;
  rmSync(dir, { recursive: true, force: true });
  // Everything but openapi-typescript's 6.5 MB of types, which no Waygate program reads.
  cpSync(kept, dir, { recursive: true, filter: (source) => !source.endsWith("github-types.d.ts") });
  writeFileSync(join(dir, "waygate/github.types.d.ts"), types);
  projects.push([variant, join(dir, "tsconfig.waygate.json")]);
}

// ---- what github.types.d.ts holds: nodes and symbols by kind of declaration ----
function census(text) {
  const file = ts.createSourceFile("github.types.d.ts", text, { languageVersion: ts.ScriptTarget.ES2022, jsDocParsingMode: ts.JSDocParsingMode.ParseForTypeErrors }, false, ts.ScriptKind.TS);
  ts.bindSourceFile(file, { target: ts.ScriptTarget.ES2022 });
  const kinds = {};
  const kindOf = (name) => (name === "Client" || name === "Waygate" ? "Client and Waygate" : /Input$/.test(name) ? "inputs" : /Output$/.test(name) ? "outputs" : /Item$/.test(name) ? "page items" : "shared types");
  for (const statement of file.statements) {
    if (!ts.isTypeAliasDeclaration(statement) && !ts.isInterfaceDeclaration(statement)) continue;
    const entry = (kinds[kindOf(statement.name.text)] ??= { declarations: 0, nodes: 0, bytes: 0 });
    entry.declarations++;
    entry.bytes += statement.end - statement.pos;
    const count = (node) => {
      entry.nodes++;
      ts.forEachChild(node, count);
    };
    count(statement);
  }
  return { kinds, nodes: file.nodeCount, symbols: file.symbolCount, identifiers: file.identifierCount, bytes: text.length };
}
const facts = census(generatedTypes);
console.log(`github.types.d.ts: ${(facts.bytes / 1e6).toFixed(2)} MB, ${(VARIANTS["no-comments"].length / 1e3).toFixed(0)} kB without comments; ${facts.nodes} AST nodes, ${facts.symbols} symbols, ${facts.identifiers} identifiers`);
console.log("| declarations | count | text with their docs | AST nodes |\n| --- | ---: | ---: | ---: |");
for (const [kind, entry] of Object.entries(facts.kinds)) console.log(`| ${kind} | ${entry.declarations} | ${(entry.bytes / 1e3).toFixed(0)} kB | ${entry.nodes} (${((entry.nodes / facts.nodes) * 100).toFixed(0)} %) |`);

// ---- tsc 5.9 CLI, interleaved rounds ----
// CPU time (user + system) moves less than wall time on a busy machine; GNU time reports it for the child.
const GNU_TIME = "/usr/bin/time";
const withCpu = existsSync(GNU_TIME);
const MEASURES = ["wall", ...(withCpu ? ["cpu"] : []), "Parse time", "Bind time", "Check time", "Total time", "I/O Read time", "Memory used"];
const samples = projects.map(() => Object.fromEntries(MEASURES.map((measure) => [measure, []])));
const loadAtStart = loadavg()[0];
for (let round = 1; round <= runs; round++) {
  projects.forEach(([name, config], index) => {
    const started = performance.now();
    const command = [process.execPath, TSC59, "-p", config, "--extendedDiagnostics", "--pretty", "false"];
    const result = withCpu ? spawnSync(GNU_TIME, ["-f", "cpu %U %S", ...command], { encoding: "utf8" }) : spawnSync(command[0], command.slice(1), { encoding: "utf8" });
    const wall = performance.now() - started;
    if (result.status !== 0) throw new Error(`${name} does not type-check:\n${result.stdout}${result.stderr}`);
    samples[index].wall.push(wall);
    const cpu = /^cpu ([\d.]+) ([\d.]+)$/m.exec(result.stderr);
    if (withCpu && cpu) samples[index].cpu.push((Number(cpu[1]) + Number(cpu[2])) * 1000);
    for (const match of result.stdout.matchAll(/^([A-Za-z/ ]+?):\s+([\d.]+)(s|K)$/gm)) {
      if (match[1] in samples[index]) samples[index][match[1]].push(Number(match[2]) * (match[3] === "s" ? 1000 : 1 / 1024));
    }
  });
  process.stdout.write(`round ${round}/${runs}\r`);
}
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
};
console.log(`\ntsc ${ts.version} CLI, median of ${runs} interleaved rounds (ms; memory in MB); 1-minute load average ${loadAtStart.toFixed(1)} at start, ${loadavg()[0].toFixed(1)} at the end`);
console.log(`| measure | ${projects.map(([name]) => name).join(" | ")} |\n| --- |${" ---: |".repeat(projects.length)}`);
for (const measure of MEASURES) console.log(`| ${measure} | ${samples.map((sample) => median(sample[measure]).toFixed(0)).join(" | ")} |`);
