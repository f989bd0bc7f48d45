import type { ChangeKind, ChangeSeverity, VersionChange } from "../contract/versioning.js";
import { printable, splitPointer } from "./json.js";

/** A change record; `before`/`after` are left out rather than set to undefined. */
export function change(
  kind: ChangeKind,
  severity: ChangeSeverity,
  pointer: string,
  message: string,
  values: { before?: unknown; after?: unknown } = {},
): VersionChange {
  const result: VersionChange = { kind, severity, pointer, message };
  if (values.before !== undefined) result.before = values.before;
  if (values.after !== undefined) result.after = values.after;
  return result;
}

/**
 * The pointer of a schema node as a reader would name the field:
 * `/inputSchema/properties/labels/items/properties/name` → `input.labels[].name`.
 */
export function labelOf(pointer: string): string {
  const segments = splitPointer(pointer);
  const root = segments[0] === "inputSchema" ? "input" : segments[0] === "outputSchema" ? "output" : undefined;
  let label = root ?? "";
  let index = root === undefined ? 0 : 1;
  while (index < segments.length) {
    const segment = segments[index] ?? "";
    const next = segments[index + 1] ?? "";
    const consumesNext = segment === "properties" || segment === "prefixItems" || segment === "oneOf" || segment === "anyOf";
    if (segment === "properties") label += `.${next}`;
    else if (segment === "prefixItems") label += `[${next}]`;
    else if (segment === "oneOf" || segment === "anyOf") label += `<${segment} ${next}>`;
    else if (segment === "items") label += "[]";
    else if (segment === "additionalProperties") label += ".*";
    else label += `/${segment}`;
    index += consumesNext ? 2 : 1;
  }
  return printable(label);
}
