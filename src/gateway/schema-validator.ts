import { createHash } from "node:crypto";
import { Ajv } from "ajv";
import type { ErrorObject, Options, ValidateFunction } from "ajv";
import { Ajv2020 } from "ajv/dist/2020.js";
import type { FieldError } from "../contract/problem.js";
import { remember } from "../lib/bounded-map.js";
import { compileLinearPattern } from "../lib/linear-pattern.js";
import type { LinearPattern } from "../lib/linear-pattern.js";
import { addLinearFormats, linearFormats } from "./formats.js";
import { MatchBudget, MatchBudgetExceeded, linearRegExpEngine } from "./match-budget.js";
import { SchemaTooLarge, prepareSchema } from "./schema-prepare.js";
import { measureValue } from "./value-shape.js";

/** Bounds on a schema before Ajv sees it, and on the work one validation may do. */
export interface SchemaLimits {
  maxNodes: number;
  maxDepth: number;
  maxCached: number;
  maxErrors: number;
  /** Values nested deeper are refused before validation: a recursive schema recurses once per level. */
  maxValueDepth: number;
  /** Units of pattern and format matching one validation may spend (see MatchBudget). */
  maxMatchUnits: number;
  /** A value that fails is checked again for every error only when it has at most this many nodes. */
  maxNodesForAllErrors: number;
}

/**
 * maxValueDepth 128: Ajv overflowed the stack near 5,000 levels of a tree schema here, and
 * real payloads stay far below 128. maxMatchUnits 500,000: about 50–100 ms of matching at
 * the slowest measured rate (100–200 ns a character on this 2-core machine), far more than
 * the few thousand characters of patterned fields a real request or response carries.
 * maxNodesForAllErrors 10,000: listing every error of a 500,000-item array took 200 ms and
 * 60 MB; past this size the first error is reported.
 */
export const DEFAULT_SCHEMA_LIMITS: SchemaLimits = {
  maxNodes: 200_000,
  maxDepth: 128,
  maxCached: 1_000,
  maxErrors: 50,
  maxValueDepth: 128,
  maxMatchUnits: 500_000,
  maxNodesForAllErrors: 10_000,
};

export type Validation = { valid: true } | { valid: false; errors: FieldError[] };

export interface CompiledSchema {
  validate(value: unknown, root: string): Validation;
  /** Parts of the schema that are not enforced (patterns the linear engine cannot run, unresolvable `$ref` cycles). */
  warnings: string[];
}

export class SchemaCompileError extends Error {
  override readonly name = "SchemaCompileError";
}

type Dialect = "modern" | "draft07";

const ANONYMOUS_SCHEMA_ID = "urn:waygate:schema";
type CacheEntry = { kind: "compiled"; compiled: CompiledSchema } | { kind: "refused"; message: string };

/**
 * Ajv validators for imported schemas, compiled once per distinct schema per process (keyed
 * by a SHA-256 of its JSON, LRU-bounded; a schema Ajv refuses is remembered as refused, so
 * it is not compiled again on every call). JSON Schema 2020-12 unless `$schema` names
 * draft-04…07, which Ajv's draft-07 dialect handles. `x-waygate-*` and OpenAPI keywords are
 * ignored (`strict: false`); `discriminator` stays off because Ajv rejects OpenAPI's `mapping`.
 *
 * Validation cannot stall the process: patterns and formats run on a linear-time engine
 * within a per-validation MatchBudget, values nested deeper than maxValueDepth are refused
 * before Ajv recurses into them, and errors are collected in full only for small values.
 */
export class SchemaValidator {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly byObject = new WeakMap<object, CacheEntry>();
  private readonly patterns = new Map<string, LinearPattern>();
  private readonly budget = new MatchBudget();
  /** [dialect][allErrors]: the first-error instances answer every call; the others only describe failures. */
  private readonly instances: Record<Dialect, Record<"first" | "all", Ajv | Ajv2020>>;

  constructor(private readonly limits: SchemaLimits = DEFAULT_SCHEMA_LIMITS) {
    const formats = linearFormats(this.budget);
    const instance = (Dialect: typeof Ajv | typeof Ajv2020, allErrors: boolean) => {
      const options: Options = {
        strict: false,
        allErrors,
        logger: false,
        // Keeps a schema's $id out of the shared instance, so two actions may reuse an $id.
        addUsedSchema: false,
        validateSchema: false,
        code: { regExp: linearRegExpEngine(this.budget, (pattern) => this.pattern(pattern)) },
      };
      const ajv = new Dialect(options);
      addLinearFormats(ajv, formats);
      return ajv;
    };
    this.instances = {
      modern: { first: instance(Ajv2020, false), all: instance(Ajv2020, true) },
      draft07: { first: instance(Ajv, false), all: instance(Ajv, true) },
    };
  }

  /** Throws SchemaCompileError for a schema that is too big, too deep, or that Ajv cannot compile. */
  compile(schema: Record<string, unknown>): CompiledSchema {
    let entry = this.byObject.get(schema);
    if (!entry) {
      const key = createHash("sha256").update(JSON.stringify(schema)).digest("base64url");
      entry = this.cache.get(key) ?? this.build(schema);
      remember(this.cache, key, entry, this.limits.maxCached);
      this.byObject.set(schema, entry);
    }
    if (entry.kind === "refused") throw new SchemaCompileError(entry.message);
    return entry.compiled;
  }

  private pattern(pattern: string): LinearPattern {
    let compiled = this.patterns.get(pattern);
    if (!compiled) {
      compiled = compileLinearPattern(pattern);
      remember(this.patterns, pattern, compiled, this.limits.maxCached * 10);
    }
    return compiled;
  }

  private build(schema: Record<string, unknown>): CacheEntry {
    let prepared;
    try {
      prepared = prepareSchema(schema, this.limits, (pattern) => this.pattern(pattern));
    } catch (error) {
      if (error instanceof SchemaTooLarge) return { kind: "refused", message: error.message };
      throw error;
    }
    const { $schema, ...withoutDialect } = prepared.schema;
    // Ajv resolves `$ref: "#"` only against a base URI; a schema without `$id` gets one of its own.
    const rest = typeof withoutDialect["$id"] === "string" ? withoutDialect : { $id: ANONYMOUS_SCHEMA_ID, ...withoutDialect };
    const dialect: Dialect = typeof $schema === "string" && /draft-0[4-7]/.test($schema) ? "draft07" : "modern";
    let firstError: ValidateFunction;
    try {
      firstError = this.instances[dialect].first.compile(rest);
    } catch (error) {
      // Includes RangeError from pathological nesting that slipped past the depth check.
      return { kind: "refused", message: error instanceof Error ? error.message : String(error) };
    }
    // Without `$ref`, Ajv's recursion follows the schema, whose depth is already bounded.
    const recursive = /"\$(?:ref|dynamicRef|recursiveRef)"/.test(JSON.stringify(rest));
    let allErrors: ValidateFunction | undefined;
    const { limits, budget } = this;
    /** Every error of a value known to be invalid; null when listing them fails (the first error is reported then). */
    const describe = (value: unknown): ErrorObject[] | null => {
      try {
        allErrors ??= this.instances[dialect].all.compile(rest);
        const all = allErrors;
        return budget.run(limits.maxMatchUnits, () => (all(value) ? null : (all.errors ?? null)));
      } catch {
        return null;
      }
    };
    return {
      kind: "compiled",
      compiled: {
        warnings: prepared.warnings,
        validate(value, root) {
          if (recursive && measureValue(value, { maxDepth: limits.maxValueDepth, maxNodes: Number.POSITIVE_INFINITY }).tooDeep) {
            return invalid(root, `is nested more than ${limits.maxValueDepth} levels deep, deeper than this schema is validated`);
          }
          try {
            if (budget.run(limits.maxMatchUnits, () => firstError(value))) return { valid: true };
            const first = firstError.errors ?? [];
            const small = measureValue(value, { maxDepth: Number.POSITIVE_INFINITY, maxNodes: limits.maxNodesForAllErrors }).nodes <= limits.maxNodesForAllErrors;
            const listed = (small ? describe(value) : null) ?? first;
            return { valid: false, errors: listed.slice(0, limits.maxErrors).map((error) => fieldError(error, root)) };
          } catch (error) {
            if (error instanceof MatchBudgetExceeded) return invalid(root, `needs more pattern and format matching than one validation may do (${limits.maxMatchUnits} units); not validated`);
            // Recursion deeper than the stack despite the depth bound (a schema that recurses many times per level).
            if (error instanceof RangeError) return invalid(root, "is nested too deeply to be validated against this schema");
            throw error;
          }
        },
      },
    };
  }
}

function invalid(field: string, message: string): Validation {
  return { valid: false, errors: [{ field, message }] };
}

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
