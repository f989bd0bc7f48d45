/**
 * Version diff and breaking-change classification. The single authority used by
 * `versions diff`, `publish --fail-on-breaking` and drift detection; the rules and
 * their reasons are in ./severity.ts.
 */
export { diffDefinitions, type DiffableIntegration, type DiffOptions, type DiffVersions } from "./diff.js";
export { type DiffableAction, type SchemaLimits } from "./actions.js";
export { diffSchemas, DEFAULT_SCHEMA_LIMITS, type SchemaDiffOptions } from "./schema-diff.js";
export { formatDiff, hasBreakingChanges } from "./format.js";
export type { Direction } from "./severity.js";
