/** RFC 6901 JSON pointers. */

export function escapePointerToken(token: string): string {
  return token.replace(/~/g, "~0").replace(/\//g, "~1");
}

export function unescapePointerToken(token: string): string {
  return token.replace(/~1/g, "/").replace(/~0/g, "~");
}

export function joinPointer(base: string, ...tokens: (string | number)[]): string {
  let pointer = base;
  for (const token of tokens) pointer += "/" + escapePointerToken(String(token));
  return pointer;
}

/** Tokens of a pointer; null when it is not one (a pointer is "" or starts with "/"). */
export function parsePointer(pointer: string): string[] | null {
  if (pointer === "") return [];
  if (!pointer.startsWith("/")) return null;
  return pointer.slice(1).split("/").map(unescapePointerToken);
}

/**
 * The value at `pointer`, or undefined. Own properties only, so "#/constructor" or
 * "#/__proto__" can never reach Object.prototype.
 */
export function getAtPointer(root: unknown, tokens: readonly string[]): unknown {
  let node: unknown = root;
  for (const token of tokens) {
    if (Array.isArray(node)) {
      if (!/^(0|[1-9][0-9]*)$/.test(token)) return undefined;
      node = node[Number(token)];
    } else if (node !== null && typeof node === "object") {
      if (!Object.hasOwn(node, token)) return undefined;
      node = (node as Record<string, unknown>)[token];
    } else return undefined;
  }
  return node;
}

/**
 * A copy of `root` without the member `key` of each object at `pointer`. Only the objects
 * and arrays on the way to a removal are copied; everything else is shared with `root`.
 */
export function withoutMembers<T>(root: T, removals: readonly { pointer: string; key: string }[]): T {
  if (removals.length === 0) return root;
  const copies = new Set<unknown>();
  const copy = (value: unknown): unknown => {
    const cloned = Array.isArray(value) ? [...(value as unknown[])] : { ...(value as Record<string, unknown>) };
    copies.add(cloned);
    return cloned;
  };
  const result = copy(root);
  for (const { pointer, key } of removals) {
    let node: Record<string, unknown> | undefined = result as Record<string, unknown>;
    for (const token of parsePointer(pointer) ?? []) {
      const parent: Record<string, unknown> = node;
      const next = parent[token];
      if (typeof next !== "object" || next === null) {
        node = undefined;
        break;
      }
      node = (copies.has(next) ? next : copy(next)) as Record<string, unknown>;
      parent[token] = node;
    }
    if (node) delete node[key];
  }
  return result as T;
}
