import type { VersionChange } from "../contract/versioning.js";
import { change, labelOf } from "./change.js";
import { compareAnnotations, compareConstraints, compareEnums, compareTypes, type NodePair } from "./keywords.js";
import { comparePointers, compareText, joinPointer, jsonKey, newBudget, sameJson, showValue, type Budget, type JsonObject } from "./json.js";
import { resolveNode } from "./resolve.js";
import { additionalPropertiesChanged, byVariance, propertyAdded, propertyRemoved, rules, type Direction, type Effect } from "./severity.js";
import { matchVariants } from "./variants.js";
import { typesWithin, viewOf, type SchemaView } from "./view.js";

/**
 * Compares two JSON Schemas for one direction — "input" (what the caller must send) or
 * "output" (what the caller receives) — and lists every difference with its severity.
 * Pure and total: any value is accepted as a schema, nothing throws, and the walk is
 * bounded by depth and by a node budget.
 *
 * Pointers follow the path a caller sees, not where a definition lives: a change inside
 * `$defs/user` reached through `properties.owner` is at `/properties/owner/...`, reported
 * once for the first path that reaches it (paths are walked in sorted order). Inside a
 * `oneOf`/`anyOf`, a variant's index is its index in the newer schema, except for a
 * removed variant, which keeps its old index.
 */

export interface SchemaDiffOptions {
  direction: Direction;
  /** Where the schema sits in its action, e.g. `/inputSchema`; prefixes every pointer. */
  pointer: string;
  /** Deeper nodes are compared by equality only (a difference there counts as breaking). */
  maxDepth?: number;
  /** Nodes visited before giving up (and reporting one conservative breaking change). */
  maxNodes?: number;
  /** Value visits (equality checks, enum keys) the whole walk may spend; bounds garbage. */
  maxWork?: number;
}

export const DEFAULT_SCHEMA_LIMITS = { maxDepth: 48, maxNodes: 20_000, maxWork: 200_000 } as const;

interface Walk {
  direction: Direction;
  fromRoot: unknown;
  toRoot: unknown;
  maxDepth: number;
  maxNodes: number;
  nodes: number;
  exhausted: boolean;
  /** `$ref` nodes already compared: each definition pair is reported once, and cycles end. */
  seenRefs: Set<string>;
  budget: Budget;
  out: VersionChange[];
}

/**
 * @example
 * diffSchemas({ type: "object", properties: { title: { type: "string" } } },
 *             { type: "object", properties: { title: { type: "string" } }, required: ["title"] },
 *             { direction: "input", pointer: "/inputSchema" });
 * // → [{ kind: "became-required", severity: "breaking", pointer: "/inputSchema/properties/title", … }]
 */
export function diffSchemas(from: unknown, to: unknown, options: SchemaDiffOptions): VersionChange[] {
  // The common case, an unchanged schema, costs one linear pass.
  if (sameJson(from, to)) return [];
  const walk: Walk = {
    direction: options.direction,
    fromRoot: from,
    toRoot: to,
    maxDepth: options.maxDepth ?? DEFAULT_SCHEMA_LIMITS.maxDepth,
    maxNodes: options.maxNodes ?? DEFAULT_SCHEMA_LIMITS.maxNodes,
    nodes: 0,
    exhausted: false,
    seenRefs: new Set(),
    budget: newBudget(options.maxWork ?? DEFAULT_SCHEMA_LIMITS.maxWork),
    out: [],
  };
  compareNode(walk, from, to, options.pointer, 0);
  return walk.out.sort((a, b) => comparePointers(a.pointer, b.pointer) || compareText(a.kind, b.kind) || compareText(a.message, b.message));
}

function compareNode(walk: Walk, fromRaw: unknown, toRaw: unknown, pointer: string, depth: number): void {
  if (walk.exhausted) return;
  if (++walk.nodes > walk.maxNodes || walk.budget.left <= 0) {
    walk.exhausted = true;
    walk.out.push(unprovable(pointer, `comparison stopped: schema too large (${walk.nodes} nodes)`));
    return;
  }
  if (depth > walk.maxDepth) {
    if (!sameJson(fromRaw, toRaw, walk.budget)) walk.out.push(unprovable(pointer, `nested deeper than ${walk.maxDepth} levels`));
    return;
  }
  const from = resolveNode(fromRaw, walk.fromRoot, walk.budget);
  const to = resolveNode(toRaw, walk.toRoot, walk.budget);
  if (from.ref !== undefined && to.ref !== undefined) {
    const key = `${refKey(fromRaw, walk.budget)}\u0000${refKey(toRaw, walk.budget)}`;
    if (walk.seenRefs.has(key)) return;
    walk.seenRefs.add(key);
  }
  compareResolved(walk, from.schema, to.schema, pointer, depth);
}

function compareResolved(walk: Walk, from: JsonObject, to: JsonObject, pointer: string, depth: number): void {
  const pair: NodePair = { direction: walk.direction, pointer, from, to, fromView: viewOf(from), toView: viewOf(to), out: walk.out, budget: walk.budget };
  const { fromView, toView } = pair;
  compareAnnotations(pair);
  if (fromView.unresolvedRef !== undefined || toView.unresolvedRef !== undefined) {
    // A ref we cannot follow (external, dangling) can only be compared as text.
    if (!sameJson(from, to, walk.budget)) walk.out.push(unprovable(pointer, `unresolvable $ref ${showValue(fromView.unresolvedRef ?? toView.unresolvedRef)}`));
    return;
  }
  if (fromView.never || toView.never) {
    if (fromView.never !== toView.never) {
      const effect: Effect = toView.never ? "narrowed" : "widened";
      walk.out.push(change("schema-changed", byVariance(walk.direction, effect), pointer, `${labelOf(pointer)} ${toView.never ? "no longer allows any value" : "now allows values again"}`));
    }
    return;
  }
  if (fromView.variants || toView.variants) {
    compareVariants(walk, pair, depth);
    // One side a union, the other a plain schema: the plain one was compared as a
    // single variant; its top-level keywords have no counterpart to compare with.
    if (!fromView.variants || !toView.variants) return;
  }
  compareTypes(pair);
  compareEnums(pair);
  compareConstraints(pair);
  if (couldBe("object", fromView) && couldBe("object", toView)) compareObject(walk, fromView, toView, pointer, depth);
  if (couldBe("array", fromView) && couldBe("array", toView)) compareArray(walk, fromView, toView, pointer, depth);
}

/** A type change is reported once; descending into an object that became a string is noise. */
function couldBe(type: string, view: SchemaView): boolean {
  return typesWithin([type], view.types);
}

function compareObject(walk: Walk, from: SchemaView, to: SchemaView, pointer: string, depth: number): void {
  const names = new Set([...Object.keys(from.properties), ...Object.keys(to.properties), ...from.required, ...to.required]);
  for (const name of [...names].sort()) {
    const at = joinPointer(pointer, "properties", name);
    const label = labelOf(at);
    const inFrom = Object.hasOwn(from.properties, name);
    const inTo = Object.hasOwn(to.properties, name);
    const wasRequired = from.required.has(name);
    const isRequired = to.required.has(name);
    if (inFrom && !inTo) {
      const severity = propertyRemoved(walk.direction, { wasRequired, closedAfter: to.additional.state === "closed" });
      walk.out.push(change("property-removed", severity, at, `${label} was removed${wasRequired ? " (it was required)" : ""}`));
      continue;
    }
    if (!inFrom && inTo) {
      walk.out.push(change("property-added", propertyAdded(walk.direction, isRequired), at, `${label} was added${isRequired ? " as required" : ""}`));
      continue;
    }
    if (wasRequired !== isRequired) {
      const severity = byVariance(walk.direction, isRequired ? "narrowed" : "widened");
      walk.out.push(change(isRequired ? "became-required" : "became-optional", severity, at, `${label} became ${isRequired ? "required" : "optional"}`));
    }
    if (inFrom && inTo) compareNode(walk, from.properties[name], to.properties[name], at, depth + 1);
  }
  compareAdditional(walk, from, to, pointer, depth);
}

function compareAdditional(walk: Walk, from: SchemaView, to: SchemaView, pointer: string, depth: number): void {
  const at = joinPointer(pointer, "additionalProperties");
  const before = from.additional.state;
  const after = to.additional.state;
  if (before === "schema" && after === "schema") {
    compareNode(walk, from.additional.schema, to.additional.schema, at, depth + 1);
    return;
  }
  if (before === after) return;
  // open ⊃ schema ⊃ closed
  const rank = { closed: 0, schema: 1, open: 2 } as const;
  const effect: Effect = rank[after] > rank[before] ? "widened" : "narrowed";
  const severity = additionalPropertiesChanged(walk.direction, before, effect);
  walk.out.push(change("additional-properties-changed", severity, at, `${labelOf(pointer)} additional properties changed from ${before} to ${after}`, { before, after }));
}

function compareArray(walk: Walk, from: SchemaView, to: SchemaView, pointer: string, depth: number): void {
  const longest = Math.max(from.prefixItems.length, to.prefixItems.length);
  for (let index = 0; index < longest; index++) {
    // A missing tuple position allows anything.
    compareNode(walk, from.prefixItems[index] ?? {}, to.prefixItems[index] ?? {}, joinPointer(pointer, "prefixItems", index), depth + 1);
  }
  if (from.items !== undefined || to.items !== undefined) {
    compareNode(walk, from.items ?? {}, to.items ?? {}, joinPointer(pointer, "items"), depth + 1);
  }
}

function compareVariants(walk: Walk, pair: NodePair, depth: number): void {
  const { fromView, toView, pointer } = pair;
  // The plain side of a plain ↔ union change counts as a union of one. Its annotations
  // were compared at this node already and must not be compared again per variant.
  const fromList = fromView.variants?.schemas ?? [withoutAnnotations(pair.from)];
  const toList = toView.variants?.schemas ?? [withoutAnnotations(pair.to)];
  const at = (view: SchemaView, index: number): string => (view.variants ? joinPointer(pointer, view.variants.keyword, index) : pointer);
  const { pairs, removed, added } = matchVariants(fromList, toList, { from: walk.fromRoot, to: walk.toRoot }, walk.budget);
  for (const [fromIndex, toIndex] of pairs) {
    compareNode(walk, fromList[fromIndex], toList[toIndex], at(toView, toIndex), depth + 1);
  }
  for (const index of removed) {
    const where = at(fromView, index);
    const what = fromView.variants ? `variant ${index} of its ${fromView.variants.keyword}` : "its previous shape";
    walk.out.push(change("variant-removed", byVariance(walk.direction, "narrowed"), where, `${labelOf(pointer)} lost ${what}`));
  }
  for (const index of added) {
    const where = at(toView, index);
    const what = toView.variants ? `variant ${index} of its ${toView.variants.keyword}` : "a new shape";
    walk.out.push(change("variant-added", byVariance(walk.direction, "widened"), where, `${labelOf(pointer)} gained ${what}`));
  }
}

/**
 * A `$ref` node by what it applies: the ref plus its meaningful siblings, so two uses of
 * one definition with different `x-waygate-in` are both compared, while an embedded
 * `$defs` table or a description does not make the same use look new.
 */
const NOT_APPLIED = new Set(["$defs", "definitions", "$schema", "$id", "$comment", "description", "title", "examples", "example"]);
function refKey(raw: unknown, budget: Budget): string {
  const applied = Object.entries(raw as JsonObject).filter(([key]) => !NOT_APPLIED.has(key));
  return jsonKey(Object.fromEntries(applied), budget);
}

function withoutAnnotations(schema: JsonObject): JsonObject {
  const { "x-waygate-in": _in, deprecated: _deprecated, default: _default, ...rest } = schema;
  return rest;
}

function unprovable(pointer: string, reason: string): VersionChange {
  return change("schema-changed", rules.unprovable, pointer, `${labelOf(pointer)} changed in a way that could not be compared (${reason})`);
}
