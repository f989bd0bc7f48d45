/**
 * Renders one integration as two files:
 *
 * - `github.types.d.ts`: a named type per action input, output and page item, the shared
 *   types hoisted from `$defs`, and the `Client` interface (nested by the actions' dotted
 *   names, with JSDoc). A declaration file, like openapi-typescript's output, so
 *   application builds with `skipLibCheck` do not re-check thousands of types they never
 *   use; the tests compile it with `skipLibCheck` off. Its name cannot collide with an
 *   integration module (module names hold no dot), and `./github.types.js` resolves to it
 *   under NodeNext and Bundler resolution alike.
 * - `github.ts`: `createClient`, which binds every action to the transport from a table
 *   of string rows (runtime `bindActions`), and re-exports the types, so
 *   `import type { IssuesCreateInput } from "./github.js"` keeps working.
 *
 * All names come from the plan's naming tables; every string literal goes through `jsString`.
 */
import { StructureKind, type StatementStructures } from "ts-morph";
import { HttpMethodSchema } from "../contract/integrations.js";
import type { CodegenContext } from "./context.js";
import { jsdoc } from "./jsdoc.js";
import { CodegenError, escapeInvisible, jsString } from "./naming.js";
import type { ActionPlan, ClientGroup, IntegrationPlan, NamedType } from "./plan.js";
import { isRecord } from "./schema-normalize.js";
import { exampleFromSchema } from "./snippets/example.js";
import { jsLiteral } from "./snippets/literals.js";
import { createTypeRenderer } from "./types.js";

const INDENT = "    ";

/** The files of one integration whose module is `module` (`github`). */
export function integrationFiles(module: string): { module: string; types: string; typesSpecifier: string } {
  return { module: `${module}.ts`, types: `${module}.types.d.ts`, typesSpecifier: `./${module}.types.js` };
}

/** `github.types.d.ts`: every type of the integration and its `Client` interface. */
export function renderIntegrationTypes(plan: IntegrationPlan, fileName: string, head: string, ctx: CodegenContext): string {
  const named = new Map(plan.types.map((type) => [type.name, type.schema]));
  const renderer = createTypeRenderer(named);
  const typeStatements = plan.types.map((type) => `${typeDoc(type, plan)}export type ${type.name} = ${renderer.render(type.name, type.schema)};`);
  // `export {}`: in a declaration file, declarations without `export` (the helpers) are exported unless the file says otherwise.
  // One text block with blank lines between declarations: ts-morph joins string statements with bare newlines.
  const body = [...typeStatements, ...renderer.helpers(), clientInterface(plan), "export {};"].join("\n\n");
  return print(ctx, fileName, head, [{ kind: StructureKind.ImportDeclaration, isTypeOnly: true, namespaceImport: "runtime", moduleSpecifier: "./runtime.js" }, body]);
}

/** `github.ts`: `createClient`, and the types re-exported from `typesSpecifier` (`./github.types.js`). */
export function renderIntegrationModule(plan: IntegrationPlan, fileName: string, typesSpecifier: string, head: string, ctx: CodegenContext): string {
  return print(ctx, fileName, head, [
    { kind: StructureKind.ImportDeclaration, namespaceImport: "runtime", moduleSpecifier: "./runtime.js" },
    { kind: StructureKind.ImportDeclaration, isTypeOnly: true, namedImports: ["Client"], moduleSpecifier: typesSpecifier },
    `export type * from ${jsString(typesSpecifier)};\n\n${clientFactory(plan)}`,
  ]);
}

function print(ctx: CodegenContext, fileName: string, head: string, statements: (string | StatementStructures)[]): string {
  const file = ctx.project.createSourceFile(fileName, { leadingTrivia: head, statements }, { overwrite: true });
  const text = file.getFullText();
  ctx.project.removeSourceFile(file);
  return escapeInvisible(text);
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
  const what = {
    input: `Input of \`${call}()\`: path, query, header and body fields in one object.`,
    output: `What \`${call}()\` returns: the upstream response body.`,
    item: `One item yielded by \`${call}.paginate()\`.`,
  }[origin.kind];
  return jsdoc({ summary: what, notes: [`\`${action.method} ${action.path}\``], deprecated: action.deprecated });
}

function actionDoc(plan: IntegrationPlan, action: ActionPlan): string {
  const definition = action.action;
  const call = `wg.${accessor(plan, action)}`;
  const input = jsLiteral(exampleFromSchema(definition.inputSchema));
  const example = action.itemType
    ? `for await (const item of ${call}.paginate(${input})) {\n  console.log(item);\n}`
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
  return `${doc}export interface Client ${interfaceBody(plan, plan.tree, 1)}`;
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

function clientFactory(plan: IntegrationPlan): string {
  // A table of strings, not an object literal of 1 000+ transport calls: a consumer's build
  // checks this module (it is .ts), and an array of string arrays is cheap to check, cheapest
  // without a contextual type (no annotation, not inline as the argument: both made TypeScript
  // 5.9 slower on GitHub's 1 200+ rows). The types users see come from the Client interface.
  const rows = actionsInOrder(plan.tree).map((action) => `${INDENT}[${actionRow(action).map(jsString).join(", ")}],`);
  const tableDoc = jsdoc({ summary: "One row per action: member path, action name, HTTP method, then for a paginated action its strategy and field/value pairs (`ActionRow` in runtime.ts)." });
  const table = rows.length > 0 ? `const ACTIONS = [\n${rows.join("\n")}\n];` : "const ACTIONS: runtime.ActionRow[] = [];";
  const doc = jsdoc({ summary: "Binds every action to the transport. `createWaygate` calls this; application code does not need to." });
  return `${tableDoc}${table}\n\n${doc}export function createClient(transport: runtime.IntegrationTransport): Client {\n${INDENT}return runtime.bindActions(transport, ACTIONS) as Client;\n}`;
}

/** The actions depth-first in member order, so the client object gets its keys in that order. */
function actionsInOrder(group: ClientGroup): ActionPlan[] {
  return group.members.flatMap(({ node }) => ("members" in node ? actionsInOrder(node) : [node]));
}

/** One `bindActions` row (see `ActionRow` in templates/runtime.ts). Member names never hold a dot. */
function actionRow(action: ActionPlan): string[] {
  // An unknown method is treated as POST: never retried without an idempotency key.
  const method = HttpMethodSchema.safeParse(action.action.method).data ?? "POST";
  if (action.memberPath.some((member) => member.includes("."))) throw new CodegenError(`member path ${JSON.stringify(action.memberPath)} holds a dot`);
  const row = [action.memberPath.join("."), action.action.name, method];
  if (!action.itemType || !action.pagination) return row;
  const { strategy = "", ...fields } = action.pagination;
  return [...row, strategy, ...Object.entries(fields).flat()];
}
