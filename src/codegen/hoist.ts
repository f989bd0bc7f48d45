/**
 * Hoists the root `$defs`/`definitions` of every action schema in an integration into
 * shared named types. Importers embed each component an operation uses into that
 * operation's schema, so the same component appears in hundreds of documents; it is
 * emitted once. Two definitions are the same type when their names, contents and the
 * contents of everything they reference (transitively) are equal.
 */
import type { CodegenContext } from "./context.js";
import type { NameTable } from "./naming.js";
import { defKeyOfRef, isRecord, parseLocalRef } from "./schema-normalize.js";
import { sha256, stableJson } from "./stable-json.js";

/** One schema document: an action's input or output schema. */
export interface SchemaDocument {
  readonly id: string;
  readonly root: unknown;
  /** The named type the document's root renders as (target of `$ref: "#"`). */
  readonly rootType: string;
}

export interface HoistedDef {
  readonly key: string;
  /** The definition's name in the spec (`simple-user`). */
  readonly specName: string;
  readonly raw: unknown;
  /** A document it appears in, whose other definitions its refs resolve against. */
  readonly document: SchemaDocument;
  uses: number;
  typeName: string;
}

export interface HoistResult {
  /** Unique definitions, in naming order. */
  readonly defs: HoistedDef[];
  /** Per document: `$defs/<name>` → the hoisted definition. */
  readonly byDocument: Map<string, Map<string, HoistedDef>>;
}

/** Facts about one raw definition that do not depend on the document it sits in. */
export interface DefFacts {
  readonly hash: string;
  /** Refs to root definitions (`$defs/<name>` keys), in first-seen order. */
  readonly defRefs: string[];
  /** Refs to other places in the same document (`#`, `#/properties/..`): content depends on the document. */
  readonly documentLocal: boolean;
}

export function rootDefinitions(root: unknown): Map<string, unknown> {
  const found = new Map<string, unknown>();
  if (!isRecord(root)) return found;
  for (const container of ["$defs", "definitions"] as const) {
    const defs = root[container];
    if (isRecord(defs)) for (const [name, def] of Object.entries(defs)) found.set(`${container}/${name}`, def);
  }
  return found;
}

export function hoistDefinitions(documents: readonly SchemaDocument[], types: NameTable, ctx: CodegenContext): HoistResult {
  const unique = new Map<string, HoistedDef>();
  const byDocument = new Map<string, Map<string, HoistedDef>>();
  for (const document of documents) {
    const defs = rootDefinitions(document.root);
    if (defs.size === 0) continue;
    const facts = new Map([...defs].map(([key, def]) => [key, factsOf(def, ctx)]));
    const keys = identityKeys(facts, document);
    const hoisted = new Map<string, HoistedDef>();
    for (const [defKey, def] of defs) {
      const key = keys.get(defKey) ?? "";
      let entry = unique.get(key);
      if (!entry) {
        entry = { key, specName: defKey.slice(defKey.indexOf("/") + 1), raw: def, document, uses: 0, typeName: "" };
        unique.set(key, entry);
      }
      entry.uses++;
      hoisted.set(defKey, entry);
    }
    byDocument.set(document.id, hoisted);
  }
  // The most used variant of a name gets the unsuffixed type name, so adding one odd
  // operation does not rename the type everyone else uses.
  const defs = [...unique.values()].sort(
    (a, b) => compare(a.specName, b.specName) || b.uses - a.uses || compare(a.key, b.key),
  );
  for (const def of defs) def.typeName = types.claim(def.specName, "pascal", "Schema");
  return { defs, byDocument };
}

/**
 * Identity of every definition of one document: a hash of its name, its content and
 * (recursively) of everything it references. Computed per strongly connected
 * component in reverse topological order, so a document with thousands of
 * interlinked definitions costs linear, not quadratic, time.
 */
function identityKeys(facts: ReadonlyMap<string, DefFacts>, document: SchemaDocument): Map<string, string> {
  const edges = (key: string): string[] => (facts.get(key)?.defRefs ?? []).filter((ref) => facts.has(ref));
  const componentKey = new Map<string, string>();
  const keys = new Map<string, string>();
  for (const component of stronglyConnected([...facts.keys()].sort(), edges)) {
    // Tarjan yields components after every component they reach, so successors are keyed already.
    const members = new Set(component);
    const successors = new Set<string>();
    let documentLocal = false;
    for (const member of component) {
      documentLocal ||= facts.get(member)?.documentLocal ?? false;
      for (const ref of edges(member)) if (!members.has(ref)) successors.add(componentKey.get(ref) ?? "");
    }
    const own = component.map((member) => `${member}=${facts.get(member)?.hash ?? ""}`).sort();
    // A document-local successor makes this component document-local too: its key already carries the document id.
    const key = sha256(`${own.join("\n")}\n>${[...successors].sort().join(",")}\n${documentLocal ? document.id : ""}`);
    for (const member of component) componentKey.set(member, key);
  }
  for (const defKey of facts.keys()) keys.set(defKey, sha256(`${defKey}\n${componentKey.get(defKey) ?? ""}`));
  return keys;
}

/** Tarjan's algorithm without recursion; components come out in reverse topological order. */
function stronglyConnected(nodes: readonly string[], edges: (node: string) => string[]): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let counter = 0;
  for (const root of nodes) {
    if (index.has(root)) continue;
    const work = [{ node: root, targets: edges(root), next: 0 }];
    index.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const target = frame.targets[frame.next++];
      if (target !== undefined) {
        if (!index.has(target)) {
          index.set(target, counter);
          low.set(target, counter++);
          stack.push(target);
          onStack.add(target);
          work.push({ node: target, targets: edges(target), next: 0 });
        } else if (onStack.has(target)) {
          low.set(frame.node, Math.min(low.get(frame.node)!, index.get(target)!));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!));
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: string[] = [];
        let member: string | undefined;
        do {
          member = stack.pop();
          if (member === undefined) break;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.node);
        components.push(component);
      }
    }
  }
  return components;
}

function factsOf(def: unknown, ctx: CodegenContext): DefFacts {
  const cacheable = typeof def === "object" && def !== null;
  const cached = cacheable ? ctx.defFacts.get(def) : undefined;
  if (cached) return cached;
  // A manifest parsed from JSON repeats each shared component as a new object in every
  // operation; equal JSON text (cheap, native) means equal facts, so each is walked once.
  const text = JSON.stringify(def) ?? "";
  const same = ctx.defFactsByText.get(text);
  if (same) {
    if (cacheable) ctx.defFacts.set(def, same);
    return same;
  }
  const defRefs: string[] = [];
  let documentLocal = false;
  walkRefs(def, (ref) => {
    const key = defKeyOfRef(ref);
    if (key !== undefined) {
      if (!defRefs.includes(key)) defRefs.push(key);
    } else if (parseLocalRef(ref) !== undefined) {
      documentLocal = true;
    }
  });
  const facts: DefFacts = { hash: sha256(stableJson(def)), defRefs, documentLocal };
  if (cacheable) ctx.defFacts.set(def, facts);
  ctx.defFactsByText.set(text, facts);
  return facts;
}

function walkRefs(node: unknown, visit: (ref: string) => void): void {
  if (Array.isArray(node)) {
    for (const item of node) walkRefs(item, visit);
  } else if (isRecord(node)) {
    for (const [key, value] of Object.entries(node)) {
      if (key === "$ref" && typeof value === "string") visit(value);
      else walkRefs(value, visit);
    }
  }
}

export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
