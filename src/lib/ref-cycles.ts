import { joinPointer } from "./json-pointer.js";
import { subschemasOf } from "./json-schema-walk.js";

/**
 * A `$ref` cycle that never leaves the instance (`A: {$ref: B}, B: {$ref: A}`, or through
 * `allOf`/`anyOf`/`not`…): evaluating it recurses forever whatever the data, and 2020-12
 * Core §9.4.1 leaves its behaviour undefined. A recursive schema whose cycle passes through
 * `properties` or `items` (a tree of comments) is legitimate and is not reported.
 */
export interface RefCycle {
  /** Pointers of the schemas along one turn of the cycle, from the first in pointer order (which closes it). */
  path: string[];
  /** Pointers of the schemas whose `$ref` keeps the cycle going: dropping those `$ref`s breaks it. */
  refs: string[];
}

interface Node {
  pointer: string;
  schema: Record<string, unknown>;
  /** Successors evaluated against the same instance, and whether the edge is a `$ref`. */
  edges: { to: number; viaRef: boolean }[];
}

/** Every unresolvable cycle of local (`#…`) `$ref`s in one standalone schema, ordered by their first pointer. */
export function findRefCycles(root: unknown): RefCycle[] {
  const nodes = collectNodes(root);
  const component = stronglyConnected(nodes.map((node) => node.edges.map((edge) => edge.to)));
  const refsByComponent = new Map<number, string[]>();
  nodes.forEach((node, from) => {
    if (!node.edges.some((edge) => edge.viaRef && component[edge.to] === component[from])) return;
    const refs = refsByComponent.get(component[from]!) ?? [];
    refsByComponent.set(component[from]!, [...refs, node.pointer]);
  });
  const cycles: RefCycle[] = [];
  for (const [id, refs] of refsByComponent) {
    const members = nodes.flatMap((node, index) => (component[index] === id ? [index] : []));
    const start = members.reduce((best, index) => (nodes[index]!.pointer < nodes[best]!.pointer ? index : best));
    cycles.push({ path: shortestTurn(nodes, component, start).map((index) => nodes[index]!.pointer), refs: refs.sort() });
  }
  return cycles.sort((a, b) => (a.path[0]! < b.path[0]! ? -1 : 1));
}

/** The shortest way from `start` back to itself inside its component (breadth first). */
function shortestTurn(nodes: Node[], component: number[], start: number): number[] {
  const previous = new Map<number, number>();
  const queue = [start];
  for (let head = 0; head < queue.length; head++) {
    const at = queue[head]!;
    for (const { to } of nodes[at]!.edges) {
      if (component[to] !== component[start]) continue;
      if (to === start) {
        const path = [at];
        while (path[0] !== start) path.unshift(previous.get(path[0]!)!);
        return path;
      }
      if (!previous.has(to)) {
        previous.set(to, at);
        queue.push(to);
      }
    }
  }
  return [start];
}

function collectNodes(root: unknown): Node[] {
  const nodes: Node[] = [];
  const byPointer = new Map<string, number>();
  const pending: { pointer: string; schema: unknown }[] = [{ pointer: "", schema: root }];
  while (pending.length > 0) {
    const { pointer, schema } = pending.pop()!;
    if (typeof schema !== "object" || schema === null || Array.isArray(schema)) continue;
    byPointer.set(pointer, nodes.length);
    nodes.push({ pointer, schema: schema as Record<string, unknown>, edges: [] });
    for (const sub of subschemasOf(schema as Record<string, unknown>)) pending.push({ pointer: joinPointer(pointer, ...sub.tokens), schema: sub.schema });
  }
  for (const node of nodes) {
    for (const sub of subschemasOf(node.schema)) {
      if (!sub.inPlace) continue;
      const to = byPointer.get(joinPointer(node.pointer, ...sub.tokens));
      if (to !== undefined) node.edges.push({ to, viaRef: false });
    }
    const ref = node.schema["$ref"];
    if (typeof ref !== "string" || !ref.startsWith("#")) continue;
    const target = localTarget(ref.slice(1));
    const to = target === null ? undefined : byPointer.get(target);
    // A target outside the walked subschemas (under an unknown keyword) is not followed.
    if (to !== undefined) node.edges.push({ to, viaRef: true });
  }
  return nodes;
}

/** The JSON pointer a `#…` fragment names (URI-decoded, RFC 6901 §6), or null for a plain-name anchor. */
function localTarget(fragment: string): string | null {
  let decoded = fragment;
  try {
    decoded = decodeURIComponent(fragment);
  } catch {
    // keep the raw text
  }
  return decoded === "" || decoded.startsWith("/") ? decoded : null;
}

/** Tarjan's strongly connected components, iterative so that a long chain cannot overflow the stack. */
function stronglyConnected(successors: number[][]): number[] {
  const count = successors.length;
  const index = new Array<number>(count).fill(-1);
  const low = new Array<number>(count).fill(0);
  const component = new Array<number>(count).fill(-1);
  const onStack = new Array<boolean>(count).fill(false);
  const stack: number[] = [];
  let counter = 0;
  let components = 0;
  for (let start = 0; start < count; start++) {
    if (index[start] !== -1) continue;
    const work: [number, number][] = [[start, 0]];
    index[start] = low[start] = counter++;
    stack.push(start);
    onStack[start] = true;
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const [node, next] = frame;
      const edges = successors[node]!;
      if (next < edges.length) {
        frame[1]++;
        const to = edges[next]!;
        if (index[to] === -1) {
          index[to] = low[to] = counter++;
          stack.push(to);
          onStack[to] = true;
          work.push([to, 0]);
        } else if (onStack[to]) low[node] = Math.min(low[node]!, index[to]!);
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1]![0];
        low[parent] = Math.min(low[parent]!, low[node]!);
      }
      if (low[node] === index[node]) {
        let member: number;
        do {
          member = stack.pop()!;
          onStack[member] = false;
          component[member] = components;
        } while (member !== node);
        components++;
      }
    }
  }
  return component;
}
