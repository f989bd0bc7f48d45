import { invalidMapping } from "./problems.js";
import { PointerError, parsePointer, removeAt, setAt } from "./pointer.js";
import type { FieldMapping } from "./types.js";

/** A mapping with its pointers parsed, so bad pointers are refused before anything is sent upstream. */
export type CompiledMapping = { kind: "move"; from: string[]; to: string[] } | { kind: "drop"; path: string[] };

export function compileMappings(mappings: readonly FieldMapping[] | undefined): CompiledMapping[] {
  return (mappings ?? []).map((mapping, index) => {
    try {
      const op = (mapping as { op?: unknown }).op;
      if (op === "drop") return { kind: "drop", path: nonEmpty((mapping as { path: string }).path, "path") };
      if (op === "rename" || op === "move") {
        const { from, to } = mapping as { from: string; to: string };
        return { kind: "move", from: nonEmpty(from, "from"), to: nonEmpty(to, "to") };
      }
      throw new PointerError(`unknown op ${JSON.stringify(op)} (expected rename, move or drop)`);
    } catch (error) {
      if (error instanceof PointerError) throw invalidMapping(`mappings[${index}]: ${error.message}`);
      throw error;
    }
  });
}

function nonEmpty(pointer: unknown, field: string): string[] {
  if (typeof pointer !== "string") throw new PointerError(`${field} must be a JSON pointer string`);
  const segments = parsePointer(pointer);
  if (segments.length === 0) throw new PointerError(`${field} must point inside the body, not at the whole body`);
  return segments;
}

/**
 * Applies mappings in order to a copy of `body` (structuredClone keeps the caller's value
 * intact). `rename` and `move` are the same operation: remove at `from`, set at `to`;
 * a missing `from` is skipped, like a drop of something absent.
 */
export function applyMappings(body: unknown, mappings: readonly CompiledMapping[]): unknown {
  if (mappings.length === 0 || typeof body !== "object" || body === null) return body;
  const copy = structuredClone(body);
  for (const mapping of mappings) {
    if (mapping.kind === "drop") {
      removeAt(copy, mapping.path);
      continue;
    }
    const value = removeAt(copy, mapping.from);
    if (value === undefined) continue;
    try {
      setAt(copy, mapping.to, value);
    } catch (error) {
      if (error instanceof PointerError) throw invalidMapping(`cannot move to "/${mapping.to.join("/")}": ${error.message}`);
      throw error;
    }
  }
  return copy;
}
