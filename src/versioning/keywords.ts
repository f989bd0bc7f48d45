import type { VersionChange } from "../contract/versioning.js";
import { change, labelOf } from "./change.js";
import { jsonKey, joinPointer, sameJson, showList, showValue, type Budget, type JsonObject } from "./json.js";
import { byVariance, rules, type Direction, type Effect } from "./severity.js";
import { typesWithin, type SchemaView } from "./view.js";

/**
 * Comparisons of one node's own keywords (no descent): type, nullability, enum, format,
 * bounds, and the annotations Waygate cares about. Each pushes facts with the severity
 * severity.ts assigns.
 */

export interface NodePair {
  direction: Direction;
  pointer: string;
  from: JsonObject;
  to: JsonObject;
  fromView: SchemaView;
  toView: SchemaView;
  out: VersionChange[];
  /** Shared by the whole walk, so garbage values cannot make it exponential. */
  budget: Budget;
}

export function compareAnnotations({ direction, pointer, from, to, out, budget }: NodePair): void {
  const label = labelOf(pointer);
  if (!sameJson(from["x-waygate-in"], to["x-waygate-in"], budget)) {
    out.push(
      change("location-changed", rules.location, joinPointer(pointer, "x-waygate-in"), `${label} moved from ${showValue(from["x-waygate-in"])} to ${showValue(to["x-waygate-in"])}`, {
        before: from["x-waygate-in"],
        after: to["x-waygate-in"],
      }),
    );
  }
  if ((from.deprecated === true) !== (to.deprecated === true)) {
    const deprecated = to.deprecated === true;
    out.push(change(deprecated ? "deprecated" : "undeprecated", rules.deprecation, joinPointer(pointer, "deprecated"), `${label} ${deprecated ? "was deprecated" : "is no longer deprecated"}`));
  }
  // A default matters only for what the caller may leave out, i.e. for input.
  if (direction === "input" && !sameJson(from.default, to.default, budget)) {
    out.push(
      change("default-changed", rules.inputDefault, joinPointer(pointer, "default"), `${label} default changed from ${showValue(from.default)} to ${showValue(to.default)}`, {
        before: from.default,
        after: to.default,
      }),
    );
  }
}

export function compareTypes({ direction, pointer, fromView, toView, out }: NodePair): void {
  const label = labelOf(pointer);
  const grew = typesWithin(fromView.types, toView.types);
  const shrank = typesWithin(toView.types, fromView.types);
  if (!(grew && shrank)) {
    const effect: Effect = grew ? "widened" : shrank ? "narrowed" : "changed";
    const before = fromView.types ?? "any";
    const after = toView.types ?? "any";
    out.push(
      change("type-changed", byVariance(direction, effect), joinPointer(pointer, "type"), `${label} type ${effect === "changed" ? "changed" : effect} from ${showTypes(before)} to ${showTypes(after)}`, {
        before,
        after,
      }),
    );
  }
  // Nullability is only meaningful where both sides name their types; "any" includes null.
  if (fromView.types && toView.types && fromView.nullable !== toView.nullable) {
    const nullable = toView.nullable;
    out.push(
      change(nullable ? "became-nullable" : "became-non-nullable", byVariance(direction, nullable ? "widened" : "narrowed"), joinPointer(pointer, "type"), `${label} ${nullable ? "became nullable" : "no longer allows null"}`),
    );
  }
}

function showTypes(types: string[] | "any"): string {
  return types === "any" ? "any" : types.length === 0 ? "nothing" : types.join(" | ");
}

export function compareEnums({ direction, pointer, fromView, toView, out, budget }: NodePair): void {
  const before = fromView.values;
  const after = toView.values;
  if (!before && !after) return;
  const label = labelOf(pointer);
  const at = joinPointer(pointer, "enum");
  if (!before && after) {
    out.push(change("became-enum", byVariance(direction, "narrowed"), at, `${label} is now limited to ${showList(after)}`, { after }));
    return;
  }
  if (before && !after) {
    out.push(change("became-not-enum", byVariance(direction, "widened"), at, `${label} is no longer limited to a fixed set of values`, { before }));
    return;
  }
  const removed = difference(before ?? [], after ?? [], budget);
  const added = difference(after ?? [], before ?? [], budget);
  if (removed.length > 0) {
    out.push(change("enum-values-removed", byVariance(direction, "narrowed"), at, `${label} lost enum value${removed.length > 1 ? "s" : ""} ${showList(removed)}`, { before: removed }));
  }
  if (added.length > 0) {
    out.push(change("enum-values-added", byVariance(direction, "widened"), at, `${label} gained enum value${added.length > 1 ? "s" : ""} ${showList(added)}`, { after: added }));
  }
}

function difference(a: readonly unknown[], b: readonly unknown[], budget: Budget): unknown[] {
  const keys = new Set(b.map((value) => jsonKey(value, budget)));
  return a.filter((value) => !keys.has(jsonKey(value, budget)));
}

/** Lower bound raised or upper bound lowered narrows what the schema allows. */
const UPPER_BOUNDS = ["maxLength", "maximum", "exclusiveMaximum", "maxItems", "maxProperties"];
const LOWER_BOUNDS = ["minLength", "minimum", "exclusiveMinimum", "minItems", "minProperties"];
/** Keywords where adding narrows, removing widens and any other change is unknowable. */
const PRESENCE = ["format", "pattern", "multipleOf"];

export function compareConstraints({ direction, pointer, from, to, out, budget }: NodePair): void {
  const label = labelOf(pointer);
  for (const keyword of [...PRESENCE, ...UPPER_BOUNDS, ...LOWER_BOUNDS, "uniqueItems"]) {
    const before = from[keyword];
    const after = to[keyword];
    if (sameJson(before, after, budget)) continue;
    const effect = constraintEffect(keyword, before, after);
    out.push(
      change(keyword === "format" ? "format-changed" : "constraint-changed", byVariance(direction, effect), joinPointer(pointer, keyword), `${label} ${keyword} changed from ${showBound(before)} to ${showBound(after)}`, {
        before,
        after,
      }),
    );
  }
}

function constraintEffect(keyword: string, before: unknown, after: unknown): Effect {
  if (keyword === "uniqueItems") return after === true ? "narrowed" : "widened";
  const upper = UPPER_BOUNDS.includes(keyword);
  if (upper || LOWER_BOUNDS.includes(keyword)) {
    // Draft-04's boolean exclusiveMaximum and other odd values fall through to presence.
    const a = typeof before === "number" ? before : before === undefined ? (upper ? Infinity : -Infinity) : undefined;
    const b = typeof after === "number" ? after : after === undefined ? (upper ? Infinity : -Infinity) : undefined;
    if (a !== undefined && b !== undefined) return (upper ? b < a : b > a) ? "narrowed" : "widened";
  }
  if (before === undefined) return "narrowed";
  if (after === undefined) return "widened";
  return "changed";
}

function showBound(value: unknown): string {
  return value === undefined ? "none" : showValue(value);
}
