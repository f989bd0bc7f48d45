import type { ChangeSeverity } from "../contract/versioning.js";

/**
 * The one place that decides what is breaking. The comparers (schema-diff, actions,
 * integration) only establish facts — "this property became required", "this enum lost
 * a value" — and ask here for the severity. `versions diff --fail-on-breaking`,
 * `publish --fail-on-breaking` and drift detection all read the result, so they agree.
 *
 * "Breaking" means: a caller that works against the old version may fail, or silently
 * misbehave, against the new one. The backbone is variance, as in oasdiff and
 * OpenAPITools/openapi-diff: an input schema describes what the gateway *accepts*, so
 * shrinking it (narrowing) breaks callers; an output schema describes what callers
 * *receive*, so growing it (widening) breaks them. A change that is neither a clean
 * narrowing nor widening ("changed", e.g. string → integer) breaks both directions.
 *
 * Deliberate exceptions to plain variance, each with its reason:
 * - Input property removed: breaking only if it was required, or if the new object is
 *   closed (`additionalProperties: false`, so our own Ajv input validation now rejects
 *   callers that still send it). An optional property removed from an open object is
 *   reported as non-breaking: the request still validates. oasdiff rates
 *   `request-property-removed` WARN ("cannot be confirmed programmatically") and
 *   openapi-diff's ChangedSchema treats missing request properties as compatible; we have
 *   two levels, and a required property vanishing is the case that reaches every caller.
 * - New required input property: breaking even when it has a default (oasdiff ≥ 1.25.1
 *   agrees: a request that omits a required property is invalid under the new contract).
 * - Output property removed: always breaking, required or not. openapi-diff agrees (any
 *   missing response property is incompatible); oasdiff ≥ 1.30 stopped failing on
 *   optional ones. We side with openapi-diff because imported docs rarely mark response
 *   fields `required`: "optional" there mostly means "undocumented", and drift detection
 *   must not go blind to fields disappearing.
 * - Output enum gained values: breaking (it is a widening). Generated clients type enums
 *   as literal unions, so exhaustive `switch`es stop compiling and old builds meet values
 *   they never handle. oasdiff rated `response-property-enum-value-added` WARN and
 *   raised it to ERR in 1.30+.
 * - Output `additionalProperties: false` relaxed, or any output property added: not
 *   breaking. Clients ignore fields they do not know (the robustness principle), and
 *   neither tool flags it.
 * - `x-waygate-in` changed (a parameter moved between path, query, header and body):
 *   breaking. The merged input object looks the same, but the upstream now reads the
 *   value from elsewhere, and copied curl/HTTP snippets send it to the old place.
 * - Base URL changed: reported, not breaking. Callers reach the upstream only through
 *   the gateway, which follows the new URL; whether the new host is right is a review
 *   question, so it stays visible in the diff and in drift reports.
 * - Auth: a scheme removed or changed is breaking (stored connections hold credentials
 *   for the old one); a scheme added is breaking only when there was none before (calls
 *   without credentials now fail), otherwise it is an alternative.
 * - Pagination: strategy changed (including added or removed) or `itemsPath` changed is
 *   breaking (what `for await` yields changes); renamed cursor/page parameters are not,
 *   since only the gateway uses them.
 * - Method changed, path changed (beyond renaming `{placeholders}`), action removed:
 *   breaking. Action added, docs (summary, description, tags) changed, deprecation flag
 *   set or cleared, input default changed (oasdiff ≥ 1.30 no longer fails it): not.
 * - Not compared: error responses (`errors`), `authTypeUnverified`, and documentation
 *   inside schemas (descriptions, titles, examples), which would drown the real changes.
 * - Anything the comparer cannot prove compatible (a dangling `$ref` whose text changed,
 *   a schema past the depth or size limit that differs): breaking, conservatively.
 */

export type Direction = "input" | "output";
/** How the set of values a schema allows moved between versions. */
export type Effect = "narrowed" | "widened" | "changed";

const BREAKING: ChangeSeverity = "breaking";
const SAFE: ChangeSeverity = "non-breaking";

/** Inputs are contravariant, outputs covariant. */
export function byVariance(direction: Direction, effect: Effect): ChangeSeverity {
  if (effect === "changed") return BREAKING;
  return (direction === "input") === (effect === "narrowed") ? BREAKING : SAFE;
}

export function propertyAdded(direction: Direction, required: boolean): ChangeSeverity {
  return direction === "input" && required ? BREAKING : SAFE;
}

export function propertyRemoved(direction: Direction, facts: { wasRequired: boolean; closedAfter: boolean }): ChangeSeverity {
  if (direction === "output") return BREAKING;
  return facts.wasRequired || facts.closedAfter ? BREAKING : SAFE;
}

export type AdditionalProperties = "closed" | "open" | "schema";

export function additionalPropertiesChanged(direction: Direction, from: AdditionalProperties, effect: Effect): ChangeSeverity {
  if (direction === "output" && from === "closed") return SAFE;
  return byVariance(direction, effect);
}

export const rules = {
  actionAdded: SAFE,
  actionRemoved: BREAKING,
  methodChanged: BREAKING,
  /** Only `{placeholder}` names differ: the upstream URL is the same. */
  pathChanged: (sameTemplate: boolean): ChangeSeverity => (sameTemplate ? SAFE : BREAKING),
  documentation: SAFE,
  deprecation: SAFE,
  pagination: (strategyOrItemsChanged: boolean): ChangeSeverity => (strategyOrItemsChanged ? BREAKING : SAFE),
  /** Output schema appeared (was unknown) or vanished (now unknown: the widest widening). */
  outputSchemaAdded: SAFE,
  outputSchemaRemoved: BREAKING,
  location: BREAKING,
  inputDefault: SAFE,
  unprovable: BREAKING,
  baseUrl: SAFE,
  authAdded: (hadAuthBefore: boolean): ChangeSeverity => (hadAuthBefore ? SAFE : BREAKING),
  authRemoved: BREAKING,
  authChanged: BREAKING,
} as const;
