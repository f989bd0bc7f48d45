/**
 * Renders one integration as two files:
 *
 * - `github.types.d.ts`: a named type per action input, output and page item, the shared
 *   types hoisted from `$defs`, the `Client` interface (nested by the actions' dotted
 *   names, with JSDoc) and `Waygate` (what this module's `createWaygate` returns). A
 *   declaration file, like openapi-typescript's output, so application builds with
 *   `skipLibCheck` do not re-check thousands of types they never use; the tests compile it
 *   with `skipLibCheck` off. Its name cannot collide with an integration module (module
 *   names hold no dot), and `./github.types.js` resolves to it under NodeNext and Bundler
 *   resolution alike.
 * - `github.ts`: the integration's entry point. Its table is one template literal (one token
 *   for a consumer's compiler, a few bytes per row in a bundle) with the actions outside any
 *   group and one line per group (`issues`, its path alone); `bindClient` hands it to the runtime, which
 *   builds groups and actions when first read and loads a group's module when one of its
 *   actions is first called, through `github.groups.lazy.js` (an `import()` per group, with its `.d.ts`). So
 *   neither this module nor index.ts holds the integration's 1 200 rows: a bundler gives the
 *   loader and each group a chunk of their own. `createWaygate` gives a client of this
 *   integration alone. It re-exports the types, so
 *   `import type { IssuesCreateInput } from "./github.js"` works.
 * - `github.issues.js` with `github.issues.d.ts`, one pair per top-level group: the group's
 *   action table (`actionTable`, what github.ts loads) and `createWaygate` giving
 *   `wg.github.issues` alone, bound at once (no `import()`, and no `request()`). JavaScript
 *   with declarations, as the runtime is: an application's build that includes the whole
 *   output folder (an `include` glob over `src/`) reads 49 declaration files for GitHub's
 *   groups, which skipLibCheck skips, instead of checking 49 modules (a third of a second).
 *
 * All names come from the plan's naming tables; every string from a spec is escaped.
 */
import { HttpMethodSchema } from "../contract/integrations.js";
import { jsdoc } from "./jsdoc.js";
import { CodegenError, CONNECT_MEMBER, jsString, NameTable } from "./naming.js";
import { printFile } from "./print.js";
import { CLIENT_RESERVED, type ActionPlan, type ClientGroup, type IntegrationPlan, type NamedType } from "./plan.js";
import { isRecord } from "./schema-normalize.js";
import { exampleFromSchema } from "./snippets/example.js";
import { jsLiteral } from "./snippets/literals.js";
import { createTypeRenderer } from "./types.js";

const INDENT = "    ";

/** The files of one integration whose module is `module` (`github`). */
export function integrationFiles(module: string): { module: string; types: string; typesSpecifier: string } {
  return { module: `${module}.ts`, types: `${module}.types.d.ts`, typesSpecifier: `./${module}.types.js` };
}

/** A top-level group of an integration's client and the module that gives it alone (`github.issues.js` with its `.d.ts`). */
export interface GroupModule {
  readonly name: string;
  readonly group: ClientGroup;
  readonly js: string;
  readonly dts: string;
  /** `./github.issues.js`: how the loader and examples import it. */
  readonly specifier: string;
}

/**
 * One module per top-level group, named `<module>.<group>.js` (and `.d.ts`) with the group's
 * name in file style (`pull-requests`); unique ignoring case, and never `types`, which would
 * meet `<module>.types.d.ts`.
 */
export function groupModules(plan: IntegrationPlan, module: string): GroupModule[] {
  const names = new NameTable(["types"], { caseInsensitive: true });
  return plan.tree.members.flatMap(({ name, node }) => {
    if (!("members" in node)) return [];
    const base = `${module}.${names.claim(name, "file", "group")}`;
    return [{ name, group: node, js: `${base}.js`, dts: `${base}.d.ts`, specifier: `./${base}.js` }];
  });
}

/**
 * `github.issues.js`: the group's table (exported for github.ts) and a `createWaygate` whose
 * client holds that group alone; `github.issues.d.ts`: their declarations, the `Waygate` that
 * `createWaygate` returns, and the integration's types re-exported.
 */
export function renderGroupModule(plan: IntegrationPlan, group: GroupModule, typesSpecifier: string, head: string): { js: string; dts: string } {
  const { integration } = plan;
  const actions = actionsInOrder(group.group);
  const tableDoc = jsdoc({
    summary: `The \`${group.name}\` actions of ${integration.name}, one per line (\`ActionTable\` in runtime.d.ts): what \`${group.js}\` gives the integration's module, which loads it when one of them is first called.`,
  });
  const table = `${tableDoc}export const actionTable = \`\n${templateText(actions.map((action) => `${actionRow(action)}\n`).join(""))}\`;`;
  const property = plan.property;
  const waygate = `${jsdoc({ summary: `A Waygate client with the \`${group.name}\` actions of ${integration.name} alone (\`createWaygate\` in this module).` })}export interface Waygate {\n${INDENT}readonly ${property}: Pick<Client, ${jsString(group.name)}>;\n${INDENT}withOptions(options: runtime.WaygateOptions): Waygate;\n}`;
  const first = actions.find((action) => !action.responseType) ?? actions[0];
  const example = [
    `import { createWaygate } from "./waygate/${group.js}";`,
    ``,
    `const wg = createWaygate({ connection: "user_42" }); // apiKey and baseUrl from WAYGATE_API_KEY and WAYGATE_BASE_URL`,
    ...(first ? [`${first.responseType === "empty" ? "await" : "const result = await"} wg.${accessor(plan, first)}(${jsLiteral(exampleFromSchema(first.action.inputSchema))});`] : []),
  ].join("\n");
  const createDoc = jsdoc({
    summary: `A Waygate client with \`wg.${property}.${group.name}\` alone, exactly as from index.ts: a bundle that imports this module holds this group's table only, not the whole integration's.`,
    notes: ["Every option may come from the environment: `WAYGATE_API_KEY`, `WAYGATE_BASE_URL`, `WAYGATE_APP`."],
    example: { lang: "ts", code: example },
  });
  const bind = `(transport) => ${bindCall(integration.slug, integration.version, actions, false, "actionTable", false)}`;
  const create = `export function createWaygate(options) {\n${INDENT}return runtime.createRoot(options, [[${jsString(property)}, ${bind}]]);\n}`;
  const js = printFile(head, [{ from: "./runtime.js", namespace: "runtime" }], `${table}\n\n${createDoc}${create}`);
  const declarations = [
    `export type * from ${jsString(typesSpecifier)};`,
    `${tableDoc}export declare const actionTable: runtime.ActionTable;`,
    waygate,
    `${createDoc}export declare function createWaygate(options?: runtime.WaygateOptions): Waygate;`,
  ];
  const dts = printFile(
    head,
    [
      { from: "./runtime.js", namespace: "runtime", typeOnly: true },
      { from: typesSpecifier, named: [{ name: "Client" }], typeOnly: true },
    ],
    declarations.join("\n\n"),
  );
  return { js, dts };
}

/**
 * `runtime.bindIntegration(…, table, [extensions])`: `runtime.paging` only when an action
 * paginates, `runtime.rawRequests` only for the whole integration, and
 * `runtime.groupModules(loadGroup)` only where groups load later, so a bundle holds only the
 * runtime parts its module names.
 */
function bindCall(slug: string, version: number, actions: readonly ActionPlan[], rawRequests: boolean, table: string, groupsLoadLater: boolean): string {
  const extensions = [
    ...(actions.some((action) => action.itemType) ? ["runtime.paging"] : []),
    ...(rawRequests ? ["runtime.rawRequests"] : []),
    ...(groupsLoadLater ? ["runtime.groupModules(loadGroup)"] : []),
  ];
  return `runtime.bindIntegration(transport, ${jsString(slug)}, ${version}, ${table}, [${extensions.join(", ")}])`;
}

/** `github.types.d.ts`: every type of the integration and its `Client` interface. */
export function renderIntegrationTypes(plan: IntegrationPlan, head: string): string {
  const named = new Map(plan.types.map((type) => [type.name, type.schema]));
  const renderer = createTypeRenderer(named);
  const typeStatements = plan.types.map((type) => `${typeDoc(type, plan)}export type ${type.name} = ${type.fixed ?? renderer.render(type.name, type.schema)};`);
  // `export {}`: in a declaration file, declarations without `export` (the helpers) are exported unless the file says otherwise.
  const body = [...typeStatements, ...renderer.helpers(), clientInterface(plan), waygateInterface(plan), "export {};"].join("\n\n");
  return printFile(head, [{ from: "./runtime.js", namespace: "runtime", typeOnly: true }], body);
}

/**
 * `github.ts`: the table of the actions outside any group, the groups with their modules
 * (`groupModules`), `bindClient`, `createWaygate`, and the types re-exported from
 * `typesSpecifier` (`./github.types.js`).
 */
export function renderIntegrationModule(plan: IntegrationPlan, fileName: string, typesSpecifier: string, head: string, groups: readonly GroupModule[]): string {
  return printFile(
    head,
    [
      { from: "./runtime.js", namespace: "runtime" },
      { from: typesSpecifier, named: [{ name: "Client" }, { name: "Waygate" }], typeOnly: true },
    ],
    `export type * from ${jsString(typesSpecifier)};\n\n${clientFactory(plan, fileName.replace(/\.ts$/, ""), groups)}`,
  );
}

/** `github.issues.create`: how docs and examples name an action. */
export function accessor(plan: IntegrationPlan, action: ActionPlan): string {
  return [plan.property, ...action.memberPath].join(".");
}

function typeDoc(type: NamedType, plan: IntegrationPlan): string {
  const origin = type.origin;
  if (origin.kind === "def") {
    const schema = type.schema;
    const described = isRecord(schema) ? [schema.title, schema.description].filter((text) => typeof text === "string") : [];
    return jsdoc({
      summary: described.length > 0 ? (described as string[]).join("\n\n") : `The \`${origin.def.specName}\` schema of ${plan.integration.name}.`,
      deprecated: isRecord(schema) && schema.deprecated === true,
    });
  }
  const { action } = origin.action;
  const call = accessor(plan, origin.action);
  const body = { empty: "nothing: the upstream answers without a body", text: "the upstream response body, as text", binary: "the upstream response body, as bytes" };
  const what = {
    input: `Input of \`${call}()\`: path, query, header and body fields in one object.`,
    output: `What \`${call}()\` returns: ${origin.action.responseType ? body[origin.action.responseType] : "the upstream response body"}.`,
    item: `One item yielded by \`${call}.paginate()\`.`,
  }[origin.kind];
  return jsdoc({ summary: what, notes: [`\`${action.method} ${action.path}\``], deprecated: action.deprecated });
}

function actionDoc(plan: IntegrationPlan, action: ActionPlan): string {
  const definition = action.action;
  const call = `wg.${accessor(plan, action)}`;
  const input = jsLiteral(exampleFromSchema(definition.inputSchema));
  const example = action.itemType
    ? `for await (const item of ${call}.paginate(${input}, { connection: "user_42" })) {\n  console.log(item);\n}`
    : action.responseType === "empty"
      ? `await ${call}(${input}, { connection: "user_42" });`
      : `const result = await ${call}(${input}, { connection: "user_42" });`;
  return jsdoc(
    {
      summary: definition.summary,
      description: definition.description,
      notes: [`\`${definition.method} ${definition.path}\``],
      deprecated: definition.deprecated,
      example: { lang: "ts", code: example },
    },
    INDENT.repeat(action.memberPath.length),
  );
}

function actionType(action: ActionPlan): string {
  const base = action.itemType ? "PaginatedAction" : "Action";
  const kind = action.inputRequired ? base : `OptionalInput${base}`;
  const args = [action.inputType, action.outputType, ...(action.itemType ? [action.itemType] : [])];
  return `runtime.${kind}<${args.join(", ")}>`;
}

function clientInterface(plan: IntegrationPlan): string {
  const { integration } = plan;
  const doc = jsdoc({
    summary: `${integration.name}: \`wg.${plan.property}\`.`,
    description: integration.description ?? undefined,
    notes: [`Generated against version ${integration.version} of the \`${integration.slug}\` integration.`],
  });
  const body = interfaceBody(plan, plan.tree, 1);
  const request = [
    jsdoc(
      {
        summary: `A raw call to ${integration.name} through Waygate (\`POST /v1/proxy/${integration.slug}\`), with the connection's credentials, for what the actions do not cover.`,
        notes: ["`{param}`s in the path come from the input; the rest of the input is the query of a GET, HEAD or DELETE, the JSON body otherwise."],
        example: { lang: "ts", code: `const data = await wg.${plan.property}.request("GET /path/{id}", { id: "42" }, { connection: "user_42" });` },
      },
      INDENT,
    ),
    `${INDENT}readonly ${CLIENT_RESERVED[0]}: runtime.RawRequest;`,
  ].join("");
  return `${doc}export interface Client ${body.slice(0, -1)}${request}\n}`;
}

/** What this module's `createWaygate` returns: the index's client with this integration alone. */
function waygateInterface(plan: IntegrationPlan): string {
  const doc = jsdoc({ summary: `A Waygate client with ${plan.integration.name} alone (\`createWaygate\` in this module).` });
  const withOptions = `${jsdoc({ summary: "A client with these options over this one's (a user's connection, another app); it shares the transport." }, INDENT)}${INDENT}withOptions(options: runtime.WaygateOptions): Waygate;\n${CONNECT_MEMBER}`;
  return `${doc}export interface Waygate {\n${INDENT}readonly ${plan.property}: Client;\n${withOptions}\n}`;
}

function interfaceBody(plan: IntegrationPlan, group: ClientGroup, depth: number): string {
  const pad = INDENT.repeat(depth);
  const lines = group.members.map(({ name, node }) =>
    "members" in node
      ? `${pad}readonly ${name}: ${interfaceBody(plan, node, depth + 1)};`
      : `${actionDoc(plan, node)}${pad}readonly ${name}: ${actionType(node)};`,
  );
  return `{\n${lines.join("\n")}\n${INDENT.repeat(depth - 1)}}`;
}

function clientFactory(plan: IntegrationPlan, module: string, groups: readonly GroupModule[]): string {
  const { integration } = plan;
  const lazy = groups.length > 0;
  // One template literal, not an array of arrays or an object literal of 1 000+ calls: a
  // consumer's build checks this module (it is .ts), and a literal is one token to check.
  // With groups that load later, a group is a line `issues`, its path alone (and one per group nested in it): its actions are in its module.
  const rows = lazy ? plan.tree.members.flatMap(({ name, node }) => ("members" in node ? groupRows(node, name) : [actionRow(node)])) : actionsInOrder(plan.tree).map(actionRow);
  const table = `const ACTIONS = \`\n${templateText(rows.map((row) => `${row}\n`).join(""))}\`;`;
  const format = "member path, HTTP method, then `=action name` when it differs, `*items pointer` when it paginates, `:text`, `:binary` or `:empty` for a body that is not JSON";
  const tableDoc = jsdoc({
    summary: lazy
      ? `The actions of ${integration.name} outside any group, and its groups, one per line (\`ActionTable\` in runtime.d.ts): ${format}; a path alone (\`issues\`) for a group whose actions are in its own module.`
      : `The actions of ${integration.name}, one per line (\`ActionTable\` in runtime.d.ts): ${format}.`,
  });
  const bindDoc = jsdoc({
    summary: `Binds ${integration.name} to a transport: \`createWaygate\` (here and in index.ts) calls it the first time \`wg.${plan.property}\` is read. Groups and actions are made when first read${lazy ? "; a group's module is loaded when one of its actions is first called" : ""}.`,
  });
  const bind = `${bindDoc}export function bindClient(transport: runtime.Transport): Client {\n${INDENT}return ${bindCall(integration.slug, integration.version, plan.actions, true, "ACTIONS", groups.length > 0)} as Client;\n}`;
  const loaderSpecifier = groupLoaderFiles(module).specifier;
  const loadDoc = jsdoc({
    summary: `Loads the module of one of ${integration.name}'s groups through ${loaderSpecifier}, which holds an \`import()\` per group: a bundler gives that module and each group's a chunk of its own, so this module holds the group names alone.`,
  });
  const load = `${loadDoc}function loadGroup(member: string): Promise<runtime.GroupModule> {\n${INDENT}return import(${jsString(loaderSpecifier)}).then((groups) => groups.loadGroup(member));\n}`;
  const first = plan.actions.find((action) => !action.responseType) ?? plan.actions[0];
  const example = [
    `import { createWaygate } from "./waygate/${module}.js";`,
    ``,
    `const wg = createWaygate({ connection: "user_42" }); // apiKey and baseUrl from WAYGATE_API_KEY and WAYGATE_BASE_URL`,
    ...(first ? [`${first.responseType === "empty" ? "await" : "const result = await"} wg.${accessor(plan, first)}(${jsLiteral(exampleFromSchema(first.action.inputSchema))});`] : []),
  ].join("\n");
  const createDoc = jsdoc({
    summary: `A Waygate client with ${integration.name} alone: \`wg.${plan.property}\` exactly as from index.ts, in a bundle that holds no other integration.`,
    notes: ["Every option may come from the environment: `WAYGATE_API_KEY`, `WAYGATE_BASE_URL`, `WAYGATE_APP`."],
    example: { lang: "ts", code: example },
  });
  const create = `${createDoc}export function createWaygate(options?: runtime.WaygateOptions): Waygate {\n${INDENT}return runtime.createRoot(options, [[${jsString(plan.property)}, bindClient]]) as Waygate;\n}`;
  return [`${tableDoc}${table}`, bind, create, ...(groups.length > 0 ? [load] : [])].join("\n\n");
}

/**
 * `issues`, then a line per group nested in it (`actions.secrets`), each a path alone: the runtime must tell
 * them from actions before the module is loaded. Member names are identifiers, so the path
 * needs no escape (and the runtime decodes none).
 */
function groupRows(group: ClientGroup, path: string): string[] {
  if (!/^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*$/.test(path)) throw new CodegenError(`group path ${JSON.stringify(path)} is not a dotted path of identifiers`);
  return [path, ...group.members.flatMap(({ name, node }) => ("members" in node ? groupRows(node, `${path}.${name}`) : []))];
}

/**
 * An integration whose action table is longer than this loads its groups' tables with
 * `import()` (github.ts lists the groups and `github.groups.lazy.js` loads them); a shorter
 * one keeps its table whole in its module. The code that stands in for a group until its
 * module is loaded costs about 1.5 KB in a minified bundle, more than a table this short.
 */
export const LAZY_GROUPS_ABOVE_BYTES = 4_096;

/** Whether `plan`'s groups load later (`LAZY_GROUPS_ABOVE_BYTES`, or the caller's limit). */
export function groupsLoadLater(plan: IntegrationPlan, groups: readonly GroupModule[], aboveBytes = LAZY_GROUPS_ABOVE_BYTES): boolean {
  return groups.length > 0 && actionsInOrder(plan.tree).reduce((bytes, action) => bytes + actionRow(action).length + 1, 0) > aboveBytes;
}

/**
 * `github.groups.lazy.js` and its declarations `github.groups.lazy.d.ts`: two dots, so no
 * group's module (`github.<group>.js`, whose group name holds none) can be named like them.
 */
export function groupLoaderFiles(module: string): { js: string; dts: string; specifier: string } {
  return { js: `${module}.groups.lazy.js`, dts: `${module}.groups.lazy.d.ts`, specifier: `./${module}.groups.lazy.js` };
}

/**
 * The group loader: `loadGroup(member)` with a literal `import()` per group, which every
 * bundler turns into a chunk of its own and Node resolves as it is. A `switch`, not an
 * object, so no member name can reach a prototype. JavaScript with a declaration file beside
 * it, as the runtime is: a consumer's compiler reads the one declaration and does not follow
 * the `import()`s into every group's module (49 for GitHub, half a second of checking).
 */
export function renderGroupLoader(plan: IntegrationPlan, groups: readonly GroupModule[], head: string): { js: string; dts: string } {
  const cases = groups.map(({ name, specifier }) => `${INDENT.repeat(2)}case ${jsString(name)}:\n${INDENT.repeat(3)}return import(${jsString(specifier)});`);
  const doc = jsdoc({
    summary: `The module of each group of ${plan.integration.name}, by member name: what the integration's module loads when one of the group's actions is first called.`,
  });
  const unknown = `${INDENT.repeat(2)}default:\n${INDENT.repeat(3)}return Promise.reject(new TypeError(${jsString(`Waygate: ${plan.integration.slug} has no group `)} + member));`;
  const js = printFile(head, [], `${doc}export function loadGroup(member) {\n${INDENT}switch (member) {\n${[...cases, unknown].join("\n")}\n${INDENT}}\n}`);
  const dts = printFile(head, [{ from: "./runtime.js", namespace: "runtime", typeOnly: true }], `${doc}export declare function loadGroup(member: string): Promise<runtime.GroupModule>;`);
  return { js, dts };
}

/** The actions depth-first in member order, so the client object gets its keys in that order. */
function actionsInOrder(group: ClientGroup): ActionPlan[] {
  return group.members.flatMap(({ node }) => ("members" in node ? actionsInOrder(node) : [node]));
}

/** One `ActionTable` line (see templates/runtime.ts). Member names never hold a dot. */
function actionRow(action: ActionPlan): string {
  // An unknown method is treated as POST: never retried without an idempotency key.
  const method = HttpMethodSchema.safeParse(action.action.method).data ?? "POST";
  if (action.memberPath.some((member) => member.includes("."))) throw new CodegenError(`member path ${JSON.stringify(action.memberPath)} holds a dot`);
  const member = action.memberPath.join(".");
  const fields = [member, method];
  if (action.action.name !== member) fields.push(`=${action.action.name}`);
  if (action.itemType && action.pagination) fields.push(`*${action.pagination.itemsPath ?? ""}`);
  if (action.responseType) fields.push(`:${action.responseType}`);
  return fields.map(tableField).join(" ");
}

/** Space and newline separate fields and lines; `%` starts an escape. The runtime decodes with `decodeURIComponent`. */
function tableField(value: string): string {
  return value.replace(/[% \n]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`);
}

/**
 * Text inside a template literal: `\\`, `` ` `` and `${` escaped, and every character outside
 * printable ASCII (but the newlines between lines) as `\uXXXX`, so the file stays ASCII and
 * a CR or U+2028 cannot change what the literal holds.
 */
function templateText(text: string): string {
  return text
    .replace(/[\\`]|\$\{/g, (match) => `\\${match}`)
    .replace(/[^\x20-\x7e\n]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
