import { fail } from "./problem.js";
import type { ImportLimits } from "./types.js";

export const DEFAULT_LIMITS: Readonly<ImportLimits> = Object.freeze({
  maxDocumentBytes: 64 * 1024 * 1024,
  // The GitHub REST spec (1 200+ operations) needs about 30 000; leave room for bigger APIs.
  maxRefCount: 500_000,
  maxRefDepth: 64,
  maxDocuments: 100,
  // Real specs stay under ~40 levels; the cap keeps every recursive walk far from the stack limit.
  maxNestingDepth: 256,
  maxOperations: 20_000,
  requestTimeoutMs: 30_000,
  maxRedirects: 5,
  maxYamlAliases: 1_000,
  maxLlmInputChars: 60_000,
  llmTimeoutMs: 120_000,
});

export function resolveLimits(overrides: Partial<ImportLimits> | undefined): ImportLimits {
  const limits: ImportLimits = { ...DEFAULT_LIMITS };
  if (!overrides) return limits;
  for (const key of Object.keys(DEFAULT_LIMITS) as (keyof ImportLimits)[]) {
    const value = overrides[key];
    if (value === undefined) continue;
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || !Number.isInteger(value)) {
      fail("invalid_option", `limits.${key} must be a non-negative integer, got ${String(value)}`);
    }
    limits[key] = value;
  }
  return limits;
}
