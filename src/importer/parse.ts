import { parseDocument } from "yaml";
import { findJsonErrorOffset, lineColumn } from "./json-locate.js";
import { escapePointerToken } from "../lib/json-pointer.js";
import { fail } from "./problem.js";
import type { Warnings } from "./problem.js";
import type { ImportLimits } from "./types.js";

export type Syntax = "json" | "yaml";

export interface ParsedData {
  value: unknown;
  syntax: Syntax;
  /** `$ref`s naming another document (see refs.ts), with where they occur. */
  externalRefs: ExternalRef[];
}

export interface ExternalRef {
  ref: string;
  pointer: string;
}

/** Keys whose values are data, not OpenAPI/JSON Schema structure: a "$ref" in an example is not a reference. */
const DATA_KEYS = new Set(["example", "examples", "default", "enum", "const"]);

/** Bytes → text. UTF-8 unless a UTF-16 byte order mark says otherwise (RFC 8259 §8.1 allows only UTF-8 on the wire, YAML 1.2 §5.2 allows UTF-16). */
export function decodeText(bytes: Uint8Array): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder("utf-16le").decode(bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder("utf-16be").decode(bytes.subarray(2));
  return new TextDecoder("utf-8").decode(bytes); // strips a UTF-8 BOM
}

export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** JSON when the text starts like JSON (or the name/type says so), YAML otherwise. */
export function guessSyntax(text: string, hint?: string): Syntax {
  const lower = (hint ?? "").toLowerCase();
  if (/\.ya?ml($|[?#])|yaml/.test(lower)) return "yaml";
  const first = /\S/.exec(text)?.[0];
  return first === "{" || first === "[" ? "json" : "yaml";
}

export function parseData(text: string, source: string, syntax: Syntax, limits: ImportLimits, warnings: Warnings): ParsedData {
  const value = syntax === "json" ? parseJson(text, source) : parseYaml(text, source, limits, warnings);
  const externalRefs = sanitize(value, source, limits, warnings, syntax === "yaml");
  return { value, syntax, externalRefs };
}

function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    const offset = findJsonErrorOffset(text);
    const position = lineColumn(text, offset < 0 ? text.length : offset);
    const near = offset >= 0 && offset < text.length ? ` near ${JSON.stringify(text.slice(offset, offset + 20))}` : " (unexpected end of input)";
    fail("syntax_error", `invalid JSON at line ${position.line}, column ${position.column}${near}`, {
      source,
      line: position.line,
      column: position.column,
    });
  }
}

function parseYaml(text: string, source: string, limits: ImportLimits, warnings: Warnings): unknown {
  try {
    // Core schema (YAML 1.2 §10.3) with no custom tags: tags such as !!js/function or
    // !!python/object stay plain data, so a document can never run code.
    const doc = parseDocument(text, {
      schema: "core",
      customTags: [],
      version: "1.2",
      merge: true,
      uniqueKeys: true,
      prettyErrors: true,
      strict: true,
    });
    const error = doc.errors[0];
    if (error) {
      const pos = error.linePos?.[0];
      const message = error.message.split("\n")[0] ?? error.message;
      fail("syntax_error", `invalid YAML: ${message}`, pos ? { source, line: pos.line, column: pos.col } : { source });
    }
    for (const warning of doc.warnings.slice(0, 20)) {
      const pos = warning.linePos?.[0];
      warnings.add("yaml_warning", warning.message.split("\n")[0] ?? warning.message, pos ? { source, line: pos.line, column: pos.col } : { source });
    }
    return doc.toJS({ maxAliasCount: limits.maxYamlAliases });
  } catch (error) {
    if (error instanceof ReferenceError && /alias/i.test(error.message)) {
      fail("yaml_alias_limit", `YAML aliases expand past the limit of ${limits.maxYamlAliases} (maxYamlAliases): ${error.message}`, { source });
    }
    if (error instanceof RangeError) fail("nesting_limit", "YAML document is nested too deeply to parse", { source });
    throw error;
  }
}

/**
 * One iterative pass over parsed data: refuses nesting past the limit and alias cycles
 * (YAML `&a [*a]` makes a cyclic object that every later walk would loop on), removes
 * own `__proto__` keys, so no later `target[key] = …` copy can change a prototype, and
 * collects `$ref`s to other documents (outside example/default/enum/const and `x-` data).
 */
function sanitize(root: unknown, source: string, limits: ImportLimits, warnings: Warnings, mayShare: boolean): ExternalRef[] {
  interface Frame {
    value: object;
    depth: number;
    parent: Frame | null;
    key: string;
    exit: boolean;
    data: boolean;
  }
  const refs: ExternalRef[] = [];
  if (root === null || typeof root !== "object") return refs;
  const onPath = new Set<object>();
  const done = new Set<object>();
  const stack: Frame[] = [{ value: root, depth: 1, parent: null, key: "", exit: false, data: false }];
  const pointerOf = (frame: Frame | null): string => {
    const keys: string[] = [];
    for (let f = frame; f && f.parent; f = f.parent) keys.push(escapePointerToken(f.key));
    return keys.length ? "/" + keys.reverse().join("/") : "";
  };
  while (stack.length > 0) {
    const frame = stack.pop()!;
    if (frame.exit) {
      onPath.delete(frame.value);
      done.add(frame.value);
      continue;
    }
    const node = frame.value;
    if (mayShare) {
      if (onPath.has(node)) fail("invalid_document", "YAML alias refers to one of its own ancestors (cyclic data)", { source, pointer: pointerOf(frame) });
      if (done.has(node)) continue;
      onPath.add(node);
      stack.push({ ...frame, exit: true });
    }
    if (frame.depth > limits.maxNestingDepth) {
      fail("nesting_limit", `document nests deeper than ${limits.maxNestingDepth} levels (maxNestingDepth)`, { source, pointer: pointerOf(frame) });
    }
    if (Array.isArray(node)) {
      for (let i = node.length - 1; i >= 0; i--) {
        const child: unknown = node[i];
        if (child !== null && typeof child === "object") stack.push({ value: child, depth: frame.depth + 1, parent: frame, key: String(i), exit: false, data: frame.data });
      }
      continue;
    }
    if (Object.hasOwn(node, "__proto__")) {
      delete (node as Record<string, unknown>)["__proto__"];
      warnings.add("unsafe_key", 'removed a "__proto__" key', { source, pointer: pointerOf(frame) });
    }
    const record = node as Record<string, unknown>;
    const ref = record["$ref"];
    if (!frame.data && typeof ref === "string" && !ref.startsWith("#")) refs.push({ ref, pointer: pointerOf(frame) });
    for (const key in record) {
      const child = record[key];
      if (child !== null && typeof child === "object") {
        stack.push({ value: child, depth: frame.depth + 1, parent: frame, key, exit: false, data: frame.data || DATA_KEYS.has(key) || key.startsWith("x-") });
      }
    }
  }
  return refs;
}
