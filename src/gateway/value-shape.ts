export interface ValueShape {
  /** Values (objects, arrays and scalars) counted, up to where the walk stopped. */
  nodes: number;
  /** Some value is nested more than `maxDepth`. */
  tooDeep: boolean;
}

/**
 * Size and depth of a parsed JSON value in one iterative walk (a value too deep for the
 * validator's recursion is, by definition, too deep to walk recursively here). The walk
 * stops as soon as it knows the value is too deep or has more than `maxNodes` values.
 * Scalars are counted without being stacked: this may run on up to 10 MiB of output.
 */
export function measureValue(value: unknown, limits: { maxDepth: number; maxNodes: number }): ValueShape {
  let nodes = 1;
  if (typeof value !== "object" || value === null) return { nodes, tooDeep: false };
  const containers: object[] = [value];
  const depths: number[] = [0];
  while (containers.length > 0) {
    const container = containers.pop()!;
    const depth = depths.pop()!;
    if (depth >= limits.maxDepth) return { nodes, tooDeep: true };
    const children = Array.isArray(container) ? (container as unknown[]) : Object.values(container);
    nodes += children.length;
    if (nodes > limits.maxNodes) break;
    for (const child of children) {
      if (typeof child === "object" && child !== null) {
        containers.push(child);
        depths.push(depth + 1);
      }
    }
  }
  return { nodes, tooDeep: false };
}
