import { isRecord, jsonKey, type Budget } from "./json.js";
import { resolveNode } from "./resolve.js";
import { viewOf } from "./view.js";

/**
 * Pairs the variants of two `oneOf`/`anyOf` lists so that a variant that merely changed
 * is compared field by field instead of reported as removed-and-added. Conservative by
 * design: whatever cannot be paired is reported as a removed variant (breaking for
 * input) and an added one (breaking for output), so doubt never hides a break.
 *
 * Pairing, in order of confidence:
 * 1. identical text, ignoring documentation keywords (same `$ref` counts as identical;
 *    the comparer still descends, so changes inside the definition are found);
 * 2. the only remaining variant of its type on each side (e.g. the one object variant);
 * 3. if as many remain on both sides, position by position.
 */
export interface VariantMatch {
  pairs: [number, number][];
  removed: number[];
  added: number[];
}

const DOCUMENTATION = new Set(["description", "title", "examples", "example", "$comment", "externalDocs", "deprecated"]);

export function matchVariants(from: readonly unknown[], to: readonly unknown[], roots: { from: unknown; to: unknown }, budget: Budget): VariantMatch {
  const pairs: [number, number][] = [];
  let left = from.map((_, index) => index);
  let right = to.map((_, index) => index);
  const take = (fromIndex: number, toIndex: number): void => {
    pairs.push([fromIndex, toIndex]);
    left = left.filter((index) => index !== fromIndex);
    right = right.filter((index) => index !== toIndex);
  };

  const textOf = (schema: unknown): string =>
    jsonKey(isRecord(schema) ? Object.fromEntries(Object.entries(schema).filter(([key]) => !DOCUMENTATION.has(key))) : schema, budget);
  for (const fromIndex of [...left]) {
    const text = textOf(from[fromIndex]);
    const toIndex = right.find((index) => textOf(to[index]) === text);
    if (toIndex !== undefined) take(fromIndex, toIndex);
  }

  const typeOf = (schema: unknown, root: unknown): string => {
    const view = viewOf(resolveNode(schema, root, budget).schema);
    return jsonKey([view.types ?? "any", view.nullable], budget);
  };
  const fromTypes = new Map(left.map((index) => [index, typeOf(from[index], roots.from)]));
  const toTypes = new Map(right.map((index) => [index, typeOf(to[index], roots.to)]));
  for (const fromIndex of [...left]) {
    const type = fromTypes.get(fromIndex);
    const sameTypeFrom = left.filter((index) => fromTypes.get(index) === type);
    const sameTypeTo = right.filter((index) => toTypes.get(index) === type);
    if (sameTypeFrom.length === 1 && sameTypeTo.length === 1 && sameTypeTo[0] !== undefined) take(fromIndex, sameTypeTo[0]);
  }

  if (left.length === right.length) {
    left.forEach((fromIndex, position) => pairs.push([fromIndex, right[position] ?? 0]));
    left = [];
    right = [];
  }
  return { pairs: pairs.sort((a, b) => a[1] - b[1]), removed: left, added: right };
}
