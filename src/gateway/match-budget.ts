import type { RegExpEngine } from "ajv/dist/types/index.js";
import type { LinearPattern } from "../lib/linear-pattern.js";

/**
 * The matching one validation may do, in units of about one input character on a small
 * pattern (a pattern's weight grows with its RE2 program, since the worst case costs one
 * step per character per instruction). Linear time per string is not enough on its own:
 * a schema may apply many patterns and formats to many strings, so the total is bounded
 * and a validation that would exceed it stops with MatchBudgetExceeded.
 */
export class MatchBudget {
  private remaining = Number.POSITIVE_INFINITY;

  /** Runs one synchronous validation with `units` to spend; matching outside a run is not metered. */
  run<T>(units: number, validation: () => T): T {
    const saved = this.remaining;
    this.remaining = units;
    try {
      return validation();
    } finally {
      this.remaining = saved;
    }
  }

  /** Called before each match; throws once the run has spent its units. */
  charge(units: number): void {
    this.remaining -= units;
    if (this.remaining < 0) throw new MatchBudgetExceeded();
  }
}

export class MatchBudgetExceeded extends Error {
  override readonly name = "MatchBudgetExceeded";
}

/** Per-call overhead, charged as this many characters so that many short strings count too. */
const CALL_UNITS = 8;
/** Program instructions per weight step: patterns up to 64 instructions weigh 1. */
const INSTRUCTIONS_PER_WEIGHT = 64;

/** The units one match of `value` against a pattern of `programSize` instructions costs. */
export function matchUnits(value: string, programSize: number): number {
  return (value.length + CALL_UNITS) * (1 + Math.floor(programSize / INSTRUCTIONS_PER_WEIGHT));
}

/**
 * Ajv's `code.regExp` engine: every `pattern` and `patternProperties` key runs on the
 * linear-time engine and is charged to `budget`. A pattern the engine cannot run matches
 * everything here; the schema preparation has already removed those, with a warning, so
 * this is only reached through a `$ref` into a place the preparation does not walk.
 */
export function linearRegExpEngine(budget: MatchBudget, compile: (pattern: string) => LinearPattern): RegExpEngine {
  const engine = (pattern: string) => {
    const compiled = compile(pattern);
    // Ajv deduplicates compiled patterns by toString(): it must differ per pattern.
    if (compiled.kind === "unsupported") return { test: () => true, toString: () => `unsupported:${pattern}` };
    const { regexp, cost } = compiled;
    return {
      test(value: string) {
        budget.charge(matchUnits(value, cost));
        return regexp.test(value);
      },
      toString: () => `linear:${pattern}`,
    };
  };
  engine.code = "waygate-linear-regexp";
  return engine;
}
