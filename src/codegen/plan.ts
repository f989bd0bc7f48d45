/**
 * Plans one integration (its module and types file) before any text is written: every name (types and
 * client members, each from its scope's naming table), the hoisted shared types, the
 * clean schema behind every named type, and the nested client tree.
 */
import type { ActionDefinition } from "../contract/integrations.js";
import type { ManifestIntegration } from "../contract/sdk.js";
import type { CodegenContext } from "./context.js";
import { breakAliasCycles } from "./cycles.js";
import { compare, hoistDefinitions, type HoistedDef, type SchemaDocument } from "./hoist.js";
import { integrationProperty, NameTable, words } from "./naming.js";
import { isRecord, normalizeSchema, type CleanSchema } from "./schema-normalize.js";

/**
 * Names the generator itself declares in an integration's files (`Client` and the helpers
 * in `github.types.d.ts`, `runtime` in both, `createClient` in `github.ts`, which re-exports
 * the types); spec names never take them.
 */
export const MODULE_RESERVED = ["Client", "Waygate", "createWaygate", "bindClient", "runtime", "WithRequired", "FlattenedDeepRequired"];
/** Members of an integration's client the runtime defines itself (`wg.github.request(…)`). */
export const CLIENT_RESERVED = ["request"];
const TYPE_SUFFIXES = ["Input", "Output", "Item"] as const;
/** Schema nodes one document may expand to (pointer refs are inlined; this bounds a "billion laughs"). */
const NODE_BUDGET = 100_000;

export interface ActionPlan {
  readonly action: ActionDefinition;
  /** Member names from the integration client down to the action: `["issues", "create"]`. */
  readonly memberPath: string[];
  readonly inputType: string;
  readonly outputType: string;
  /** Set on paginated actions: the type `paginate()` yields. */
  readonly itemType: string | undefined;
  /** The pagination fields the runtime needs, checked; undefined when the action does not paginate. */
  readonly pagination: Record<string, string> | undefined;
  readonly inputRequired: boolean;
  /** The body kind when it is not JSON (see `ActionDefinition.responseType`); it fixes the output type. */
  readonly responseType: "text" | "binary" | "empty" | undefined;
}

export interface ClientGroup {
  readonly members: { name: string; node: ClientGroup | ActionPlan }[];
}

export interface NamedType {
  readonly name: string;
  readonly schema: CleanSchema;
  readonly origin: { kind: "input" | "output" | "item"; action: ActionPlan } | { kind: "def"; def: HoistedDef };
  /** Type text used instead of rendering `schema` (`void` for a response without a body). */
  readonly fixed?: string;
}

/** The TypeScript type of a non-JSON body, as the runtime returns it. ArrayBuffer needs no DOM or Node types. */
export const RESPONSE_TYPES: Readonly<Record<NonNullable<ActionPlan["responseType"]>, string>> = { empty: "void", text: "string", binary: "ArrayBuffer" };

export interface IntegrationPlan {
  readonly integration: ManifestIntegration;
  /** `wg.<property>` */
  readonly property: string;
  readonly actions: ActionPlan[];
  readonly types: NamedType[];
  readonly tree: ClientGroup;
}

export function planIntegration(integration: ManifestIntegration, ctx: CodegenContext): IntegrationPlan {
  const property = integrationProperty(integration.slug);
  const typeTable = new NameTable(MODULE_RESERVED);
  const actions = [...integration.actions].sort((a, b) => compare(a.name, b.name));
  const tree = buildTree(actions, integration.slug);

  const plans: ActionPlan[] = [];
  const documents: SchemaDocument[] = [];
  for (const { action, memberPath } of tree.placed) {
    const base = typeTable.claimFamily(action.name, TYPE_SUFFIXES);
    const inputType = `${base}Input`;
    const outputType = `${base}Output`;
    const responseType = responseTypeOf(action.responseType);
    documents.push({ id: `${action.name}#input`, root: action.inputSchema, rootType: inputType });
    if (action.outputSchema && !responseType) documents.push({ id: `${action.name}#output`, root: action.outputSchema, rootType: outputType });
    // Pages of a body that is not JSON have no items to read.
    const pagination = responseType ? undefined : paginationSpec(action.pagination);
    const itemType = pagination ? `${base}Item` : undefined;
    plans.push({ action, memberPath, inputType, outputType, itemType, pagination, inputRequired: true, responseType });
  }

  const hoisted = hoistDefinitions(documents, typeTable, ctx);
  const named = new Map<string, CleanSchema>();
  const defTypesByDocument = new Map<string, Map<string, string>>();
  const normalizeIn = (document: SchemaDocument, schema: unknown): CleanSchema => {
    let defTypes = defTypesByDocument.get(document.id);
    if (!defTypes) {
      defTypes = new Map([...(hoisted.byDocument.get(document.id) ?? [])].map(([key, def]) => [key, def.typeName]));
      defTypesByDocument.set(document.id, defTypes);
    }
    return normalizeSchema(schema, { root: document.root, defTypes, rootType: document.rootType, budget: { nodes: NODE_BUDGET } });
  };
  for (const def of hoisted.defs) named.set(def.typeName, normalizeIn(def.document, def.raw));
  for (const document of documents) named.set(document.rootType, normalizeIn(document, document.root));

  const types: NamedType[] = [];
  for (const [index, plan] of plans.entries()) {
    const output = named.get(plan.outputType) ?? {};
    named.set(plan.outputType, output);
    const required = hasRequired(named.get(plan.inputType) ?? {}, named);
    const withRequired = { ...plan, inputRequired: required };
    plans[index] = withRequired;
    types.push({ name: plan.inputType, schema: {}, origin: { kind: "input", action: withRequired } });
    const fixed = plan.responseType ? RESPONSE_TYPES[plan.responseType] : undefined;
    types.push({ name: plan.outputType, schema: {}, origin: { kind: "output", action: withRequired }, ...(fixed ? { fixed } : {}) });
    if (plan.itemType && plan.pagination) {
      named.set(plan.itemType, itemSchema(output, plan.pagination.itemsPath, named) ?? {});
      types.push({ name: plan.itemType, schema: {}, origin: { kind: "item", action: withRequired } });
    }
  }
  for (const def of [...hoisted.defs].sort((a, b) => compare(a.typeName, b.typeName))) {
    types.push({ name: def.typeName, schema: {}, origin: { kind: "def", def } });
  }
  const acyclic = breakAliasCycles(named);
  const resolvedTypes = types.map((type) => ({ ...type, schema: acyclic.get(type.name) ?? {} }));
  relinkTree(tree.root, plans);
  return { integration, property, actions: plans, types: resolvedTypes, tree: tree.root };
}

interface PlacedAction {
  action: ActionDefinition;
  memberPath: string[];
}

/**
 * Nests actions by their dotted name. Groups are placed first so that when an action
 * and a group share a name (`issues` and `issues.create`), the group keeps it and the
 * action is the one renamed.
 */
function buildTree(actions: readonly ActionDefinition[], slug: string): { root: ClientGroup; placed: PlacedAction[] } {
  interface Scope {
    group: ClientGroup;
    path: string[];
    table: NameTable;
    groups: Map<string, Scope>;
  }
  const newScope = (path: string[], reserved: readonly string[] = []): Scope => ({ group: { members: [] }, path, table: new NameTable(reserved), groups: new Map() });
  const root = newScope([], CLIENT_RESERVED);
  const segmentsOf = unstutter(actions, slug);
  const scopeFor = (segments: readonly string[]): Scope => {
    let scope = root;
    for (const segment of segments) {
      let child = scope.groups.get(segment);
      if (!child) {
        const name = scope.table.claim(segment, "member", "group");
        child = newScope([...scope.path, name]);
        scope.groups.set(segment, child);
        scope.group.members.push({ name, node: child.group });
      }
      scope = child;
    }
    return scope;
  };
  for (const action of actions) scopeFor(segmentsOf(action.name).slice(0, -1));
  const placed: PlacedAction[] = [];
  for (const action of actions) {
    const segments = segmentsOf(action.name);
    const scope = scopeFor(segments.slice(0, -1));
    const name = scope.table.claim(segments[segments.length - 1] ?? "action", "member", "action");
    const memberPath = [...scope.path, name];
    const plan = { action, memberPath, inputType: "", outputType: "", itemType: undefined, pagination: undefined, inputRequired: true, responseType: undefined };
    scope.group.members.push({ name, node: plan });
    placed.push({ action, memberPath });
  }
  sortGroup(root.group);
  return { root: root.group, placed };
}

function splitName(name: string): string[] {
  const segments = name.split(".").filter((segment) => segment !== "");
  return segments.length > 0 ? segments : ["action"];
}

/**
 * The member segments of each action, without the stutter of a group named like the
 * integration: in a `tasks` integration, `tasks.create` is `wg.tasks.create`, not
 * `wg.tasks.tasks.create`. "Named like" compares words, case aside (`acmeCrm`, `acme_crm`
 * and the slug `acme-crm` agree). An action keeps its group only when dropping it would
 * meet another action's name: the same name (`list` beside `tasks.list`), or one
 * nested in the other (`list` and `tasks.list.all`). The rule looks at nothing but the
 * action's own name and the names of the others, so it is stable across versions
 * except for exactly those names.
 */
function unstutter(actions: readonly ActionDefinition[], slug: string): (name: string) => string[] {
  const key = (text: string): string => words(text).join("").toLowerCase();
  const stutter = key(slug);
  const stutters = (segments: readonly string[]): boolean => segments.length > 1 && key(segments[0] ?? "") === stutter;
  const others = new Set<string>();
  for (const action of actions) {
    const segments = splitName(action.name);
    if (!stutters(segments)) for (let end = 1; end <= segments.length; end++) others.add(`${end === segments.length ? "=" : ">"}${segments.slice(0, end).join(".")}`);
  }
  return (name) => {
    const segments = splitName(name);
    if (!stutters(segments)) return segments;
    const flat = segments.slice(1);
    // Meets another action: the same name, a group of another (`>x`), or an action where this one needs a group.
    const meets = others.has(`=${flat.join(".")}`) || others.has(`>${flat.join(".")}`) || flat.some((_, end) => end > 0 && others.has(`=${flat.slice(0, end).join(".")}`));
    return meets ? segments : flat;
  };
}

/**
 * Each action's member path in the client (`["issues", "create"]`), exactly as
 * `generateClient` names it, without planning any types: what snippets need.
 */
export function memberPaths(integration: ManifestIntegration): Map<string, string[]> {
  const actions = [...integration.actions].sort((a, b) => compare(a.name, b.name));
  const paths = new Map<string, string[]>();
  for (const { action, memberPath } of buildTree(actions, integration.slug).placed) if (!paths.has(action.name)) paths.set(action.name, memberPath);
  return paths;
}

function sortGroup(group: ClientGroup): void {
  group.members.sort((a, b) => compare(a.name, b.name));
  for (const member of group.members) if ("members" in member.node) sortGroup(member.node);
}

/** Replaces the tree's placeholder action nodes with the finished plans. */
function relinkTree(group: ClientGroup, plans: readonly ActionPlan[]): void {
  const byAction = new Map(plans.map((plan) => [plan.action, plan]));
  const relink = (node: ClientGroup): void => {
    for (const member of node.members) {
      if ("members" in member.node) relink(member.node);
      else member.node = byAction.get(member.node.action) ?? member.node;
    }
  };
  relink(group);
}

function deref(schema: CleanSchema, named: ReadonlyMap<string, CleanSchema>): CleanSchema {
  let node = schema;
  for (let hops = 0; hops < 32 && isRecord(node) && typeof node.$ref === "string"; hops++) node = named.get(node.$ref.slice(2)) ?? {};
  return node;
}

/** Whether the input needs an argument: some root property is required. */
function hasRequired(schema: CleanSchema, named: ReadonlyMap<string, CleanSchema>): boolean {
  const node = deref(schema, named);
  if (!isRecord(node)) return false;
  if (Array.isArray(node.required) && node.required.length > 0) return true;
  if (Array.isArray(node.allOf) && node.allOf.some((member: CleanSchema) => hasRequired(member, named))) return true;
  return Array.isArray(node.anyOf) || Array.isArray(node.oneOf);
}

/** The schema of one item `paginate()` yields: the array at `itemsPath` (or the body itself). */
export function itemSchema(output: CleanSchema, itemsPath: string | undefined, named: ReadonlyMap<string, CleanSchema>): CleanSchema | undefined {
  let node = deref(output, named);
  const pointer = itemsPath ? itemsPath.split("/").slice(1).map((part) => part.replace(/~1/g, "/").replace(/~0/g, "~")) : [];
  for (const part of pointer) {
    const holders = isRecord(node) ? [node, ...((Array.isArray(node.allOf) ? node.allOf : []) as CleanSchema[]).map((m) => deref(m, named))] : [];
    const holder = holders.find((candidate) => isRecord(candidate) && isRecord(candidate.properties) && Object.hasOwn(candidate.properties, part));
    if (!isRecord(holder) || !isRecord(holder.properties)) return undefined;
    node = deref(holder.properties[part] as CleanSchema, named);
  }
  if (!isRecord(node)) return undefined;
  if (node.items !== undefined) return node.items as CleanSchema;
  if (Array.isArray(node.prefixItems)) return { anyOf: node.prefixItems };
  return undefined;
}

/** A known non-JSON body kind; anything else (absent, "json", garbage from a spec) is JSON. */
function responseTypeOf(value: unknown): ActionPlan["responseType"] {
  return value === "text" || value === "binary" || value === "empty" ? value : undefined;
}

const PAGINATION_FIELDS: Record<string, { required: string[]; optional: string[] }> = {
  cursor: { required: ["cursorParam", "nextCursorPath"], optional: ["itemsPath"] },
  offset: { required: ["offsetParam", "limitParam"], optional: ["itemsPath"] },
  page: { required: ["pageParam"], optional: ["sizeParam", "itemsPath"] },
  link: { required: [], optional: ["itemsPath"] },
  nextUrl: { required: ["nextUrlPath"], optional: ["itemsPath"] },
  lastItemId: { required: ["cursorParam", "idPath"], optional: ["hasMorePath", "itemsPath"] },
};

/**
 * Only a known strategy with its required fields as strings makes an action paginated;
 * anything else from a spec is dropped rather than passed to the runtime.
 */
export function paginationSpec(pagination: unknown): Record<string, string> | undefined {
  if (!isRecord(pagination) || typeof pagination.strategy !== "string" || !Object.hasOwn(PAGINATION_FIELDS, pagination.strategy)) return undefined;
  const fields = PAGINATION_FIELDS[pagination.strategy];
  if (!fields || fields.required.some((field) => typeof pagination[field] !== "string")) return undefined;
  const spec: Record<string, string> = { strategy: pagination.strategy };
  for (const field of [...fields.required, ...fields.optional]) {
    const value = pagination[field];
    if (typeof value === "string") spec[field] = value;
  }
  return spec;
}
