import type { Ajv, Format, FormatDefinition } from "ajv";
import type { Ajv2020 } from "ajv/dist/2020.js";
import formats from "ajv-formats";
import { fullFormats } from "ajv-formats/dist/formats.js";
import type { RE2JS } from "re2js";
import { compileLinearPattern } from "../lib/linear-pattern.js";
import { matchUnits } from "./match-budget.js";
import type { MatchBudget } from "./match-budget.js";

/**
 * ajv-formats (full mode) with every regular expression on the linear-time engine and every
 * check charged to the validation's MatchBudget. Its `url` pattern is quadratic on the
 * backtracking engine (20,000 characters took 1.2 s here; ajv#628 reported it exponential
 * in the TLD length), and Ajv's security notes warn that format regexes can be ReDoS
 * vectors; running them on RE2 removes the whole class rather than the cases measured.
 * Formats written as functions (dates and times, `uri`, `byte`, `regex`) keep ajv-formats'
 * code: their expressions are anchored with no ambiguous repetition and they are charged by
 * input length.
 */
export function linearFormats(budget: MatchBudget): Map<string, Format> {
  const table = new Map<string, Format>();
  for (const [name, definition] of Object.entries(fullFormats)) {
    const replacement = linearFormat(name, definition, budget);
    if (replacement) table.set(name, replacement);
  }
  return table;
}

/** ajv-formats' plugin (formats and the formatMinimum… keywords), then the linear table over its formats. */
export function addLinearFormats(ajv: Ajv | Ajv2020, table: Map<string, Format>): void {
  formats.default(ajv);
  for (const [name, format] of table) ajv.addFormat(name, format);
}

/** Our own definitions, trusted: their programs may be larger than a schema author's. */
const FORMAT_PROGRAM_SIZE = 20_000;

function linearFormat(name: string, definition: Format, budget: MatchBudget): Format | null {
  const rewritten = LOOKAROUND_FREE[name];
  if (rewritten) return rewritten(budget);
  if (definition instanceof RegExp) return linearRegExp(definition.source, definition.flags.includes("i"), budget);
  if (typeof definition === "function") return metered(definition, budget);
  if (typeof definition !== "object" || definition.type === "number" || definition.async) return null;
  const { validate, compare } = definition as FormatDefinition<string>;
  if (typeof validate === "string") return null;
  const linear = validate instanceof RegExp ? linearRegExp(validate.source, validate.flags.includes("i"), budget) : metered(validate, budget);
  return compare ? { validate: linear, compare } : { validate: linear };
}

/** Compiled on first use: compiling every format up front took seconds of start-up here. */
function linearRegExp(source: string, ignoreCase: boolean, budget: MatchBudget): (value: string) => boolean {
  let compiled: { regexp: RE2JS; cost: number } | undefined;
  return (value) => {
    compiled ??= compileFormat(source, ignoreCase);
    budget.charge(matchUnits(value, compiled.cost));
    return compiled.regexp.test(value);
  };
}

function compileFormat(source: string, ignoreCase: boolean): { regexp: RE2JS; cost: number } {
  const compiled = compileLinearPattern(source, { ignoreCase, maxProgramSize: FORMAT_PROGRAM_SIZE });
  // A format we cannot run on RE2 would be a bug in this table, not a schema problem.
  if (compiled.kind === "unsupported") throw new Error(`format pattern ${source} cannot run on RE2: ${compiled.reason}`);
  return compiled;
}

function metered(validate: (value: string) => boolean, budget: MatchBudget): (value: string) => boolean {
  return (value) => {
    budget.charge(matchUnits(value, 0));
    return validate(value);
  };
}

/**
 * The three ajv-formats expressions that use lookaround, rewritten without it and with the
 * same meaning (format.test.ts compares them with the originals).
 */
const LOOKAROUND_FREE: Record<string, (budget: MatchBudget) => (value: string) => boolean> = {
  // `^P(?!$)…T(?=\d)…`: not just "P", and a `T` must be followed by at least one time part.
  duration: (budget) => {
    const shape = linearRegExp("^P(?:(?:\\d+Y)?(?:\\d+M)?(?:\\d+D)?(?:T(?:\\d+H(?:\\d+M)?(?:\\d+S)?|\\d+M(?:\\d+S)?|\\d+S))?|\\d+W)$", false, budget);
    return (value) => value !== "P" && shape(value);
  },
  // `^(?=.{1,253}\.?$)`: at most 253 characters, plus an optional final dot.
  hostname: (budget) => {
    const shape = linearRegExp("^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\\.[a-z0-9](?:[-0-9a-z]{0,61}[0-9a-z])?)*\\.?$", true, budget);
    return (value) => (value.length <= 253 || (value.length === 254 && value.endsWith("."))) && shape(value);
  },
  // dperini's URL expression; its negative lookaheads exclude private IPv4 hosts (10/8, 127/8,
  // 169.254/16, 192.168/16, 172.16/12), spelled out here as the public first and second octets.
  url: (budget) => linearRegExp(`^(?:https?|ftp):\\/\\/(?:\\S+(?::\\S*)?@)?(?:${PUBLIC_IPV4}|${HOST_NAME})(?::\\d{2,5})?(?:\\/[^\\s]*)?$`, true, budget),
};

/** Octets as dperini's expression reads them: the first 1–223, the middle two 0–255 (leading zeros allowed), the last 1–254. */
const MIDDLE = "\\d{1,2}|1\\d\\d|2[0-4]\\d|25[0-5]";
const LAST = "[1-9]\\d?|1\\d\\d|2[0-4]\\d|25[0-4]";
const TAIL = `(?:\\.(?:${MIDDLE}))(?:\\.(?:${LAST}))`;
/** 1–223 without 10, 127, 169, 172 and 192 (those are handled with their second octet). */
const FIRST_PUBLIC = "[1-9]|1[1-9]|[2-9]\\d|1[013-58]\\d|12[0-689]|16[0-8]|17[013-9]|19[013-9]|2[01]\\d|22[0-3]";
const PUBLIC_IPV4 = [
  `(?:${FIRST_PUBLIC})(?:\\.(?:${MIDDLE}))${TAIL}`,
  `169\\.(?:\\d{1,2}|1\\d\\d|2[0-4]\\d|25[0-35])${TAIL}`,
  `192\\.(?:\\d{1,2}|1[0-57-9]\\d|16[0-79]|2[0-4]\\d|25[0-5])${TAIL}`,
  `172\\.(?:\\d|[04-9]\\d|1[0-5]|3[2-9]|1\\d\\d|2[0-4]\\d|25[0-5])${TAIL}`,
]
  .map((alternative) => `(?:${alternative})`)
  .join("|");
const LABEL = "[a-z0-9\\u{00a1}-\\u{ffff}]";
const HOST_NAME = `(?:(?:${LABEL}+-)*${LABEL}+)(?:\\.(?:${LABEL}+-)*${LABEL}+)*(?:\\.(?:[a-z\\u{00a1}-\\u{ffff}]{2,}))`;
