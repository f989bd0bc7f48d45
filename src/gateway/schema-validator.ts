import { createHash } from "node:crypto";
import { Ajv } from "ajv";
import type { ErrorObject, ValidateFunction } from "ajv";
import { Ajv2020 } from "ajv/dist/2020.js";
import formats from "ajv-formats";
import type { FieldError } from "../contract/problem.js";
import { remember } from "../lib/bounded-map.js";
import { checkPattern } from "./regex-safety.js";

/** Bounds on a schema before Ajv sees it: Ajv generates code proportional to the schema, so a hostile one must be refused early. */
export interface SchemaLimits {
  maxNodes: number;
  maxDepth: number;
  maxCached: number;
  maxErrors: number;
}

export const DEFAULT_SCHEMA_LIMITS: SchemaLimits = { maxNodes: 200_000, maxDepth: 128, maxCached: 1_000, maxErrors: 50 };

export type Validation = { valid: true } | { valid: false; errors: FieldError[] };

export interface CompiledSchema {
  validate(value: unknown, root: string): Validation;
  /** Parts of the schema that are not enforced (unsafe or invalid patterns). */
  warnings: string[];
}

export class SchemaCompileError extends Error {
  override readonly name = "SchemaCompileError";
}

/**
 * Ajv validators for imported schemas, compiled once per distinct schema (cache keyed by
 * a hash of its JSON, LRU-bounded). JSON Schema 2020-12 unless `$schema` names draft-04…07,
 * which Ajv's draft-07 dialect handles. `x-waygate-*` and OpenAPI keywords are ignored
 * (`strict: false`); `discriminator` stays off because Ajv rejects OpenAPI's `mapping`.
 */
export class SchemaValidator {
  private readonly cache = new Map<string, CompiledSchema>();
  private readonly byObject = new WeakMap<object, CompiledSchema>();
  private readonly modern: Ajv2020;
  private readonly draft07: Ajv;

  constructor(private readonly limits: SchemaLimits = DEFAULT_SCHEMA_LIMITS) {
    const options = {
      strict: false,
      allErrors: true,
      logger: false as const,
      // Keeps a schema's $id out of the shared instance, so two actions may reuse an $id.
      addUsedSchema: false,
      validateSchema: false,
      unicodeRegExp: false,
      code: { regExp: guardedRegExp },
    };
    this.modern = new Ajv2020(options);
    this.draft07 = new Ajv(options);
    formats.default(this.modern);
    formats.default(this.draft07);
  }

  /** Throws SchemaCompileError for a schema that is too big, too deep, or that Ajv cannot compile. */
  compile(schema: Record<string, unknown>): CompiledSchema {
    const known = this.byObject.get(schema);
    if (known) return known;
    const warnings = inspect(schema, this.limits);
    const key = createHash("sha256").update(JSON.stringify(schema)).digest("base64url");
    const compiled = this.cache.get(key) ?? this.build(schema, warnings);
    remember(this.cache, key, compiled, this.limits.maxCached);
    this.byObject.set(schema, compiled);
    return compiled;
  }

  private build(schema: Record<string, unknown>, warnings: string[]): CompiledSchema {
    const { $schema, ...rest } = schema;
    const ajv = typeof $schema === "string" && /draft-0[4-7]/.test($schema) ? this.draft07 : this.modern;
    let validateFn: ValidateFunction;
    try {
      validateFn = ajv.compile(rest);
    } catch (error) {
      // Includes RangeError from pathological nesting that slipped past the depth check.
      throw new SchemaCompileError(error instanceof Error ? error.message : String(error));
    }
    const maxErrors = this.limits.maxErrors;
    return {
      warnings,
      validate(value, root) {
        if (validateFn(value)) return { valid: true };
        return { valid: false, errors: (validateFn.errors ?? []).slice(0, maxErrors).map((error) => fieldError(error, root)) };
      },
    };
  }
}

/** Walks the schema once: enforces the size limits and lists patterns that will not be enforced. */
function inspect(schema: unknown, limits: SchemaLimits): string[] {
  const warnings: string[] = [];
  let nodes = 0;
  const stack: [unknown, number, string][] = [[schema, 0, ""]];
  while (stack.length > 0) {
    const [node, depth, path] = stack.pop()!;
    if (++nodes > limits.maxNodes) throw new SchemaCompileError(`schema has more than ${limits.maxNodes} nodes`);
    if (depth > limits.maxDepth) throw new SchemaCompileError(`schema is nested deeper than ${limits.maxDepth} levels`);
    if (typeof node !== "object" || node === null) continue;
    for (const [key, child] of Object.entries(node)) {
      if (key === "pattern" && typeof child === "string") {
        const reason = checkPattern(child);
        if (reason) warnings.push(`pattern at ${path || "/"} is not enforced: ${reason}`);
      }
      if (key === "patternProperties" && typeof child === "object" && child !== null) {
        for (const pattern of Object.keys(child)) {
          const reason = checkPattern(pattern);
          if (reason) warnings.push(`patternProperties at ${path || "/"} match nothing: ${reason}`);
        }
      }
      stack.push([child, depth + 1, `${path}/${key}`]);
    }
  }
  return warnings;
}

/** Ajv's RegExp factory: patterns that could backtrack catastrophically, or do not parse, are not enforced (`inspect` reports them). */
function guardedRegExp(pattern: string, flags: string): { test(value: string): boolean } {
  if (checkPattern(pattern) === null) return new RegExp(pattern, flags);
  return { test: () => true };
}
guardedRegExp.code = "waygate-guarded-regexp";

/** `input.labels[0].name` from Ajv's instance path (an RFC 6901 pointer) plus the property a keyword names. */
function fieldError(error: ErrorObject, root: string): FieldError {
  const segments = error.instancePath === "" ? [] : error.instancePath.slice(1).split("/").map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
  const params = error.params as { missingProperty?: string; additionalProperty?: string; unevaluatedProperty?: string };
  const extra = params.missingProperty ?? params.additionalProperty ?? params.unevaluatedProperty;
  if (extra !== undefined) segments.push(extra);
  let field = root;
  for (const segment of segments) field += /^\d+$/.test(segment) ? `[${segment}]` : /^[A-Za-z_$][\w$]*$/.test(segment) ? `.${segment}` : `[${JSON.stringify(segment)}]`;
  const message = params.additionalProperty !== undefined ? "is not an allowed property" : params.missingProperty !== undefined ? "is required" : (error.message ?? "is invalid");
  return { field, message };
}
