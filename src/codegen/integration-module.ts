/**
 * Renders one integration's module (`github.ts`): a named type per action input,
 * output and page item, the shared types hoisted from `$defs`, the `Client` interface
 * (nested by the actions' dotted names, with JSDoc) and `createClient`, which binds
 * every action to the transport. All names come from the plan's naming tables; every
 * string literal goes through `jsString`.
 */
import { StructureKind } from "ts-morph";
import { HttpMethodSchema } from "../contract/integrations.js";
import type { CodegenContext } from "./context.js";
import { jsdoc } from "./jsdoc.js";
import { escapeInvisible, jsString } from "./naming.js";
import type { ActionPlan, ClientGroup, IntegrationPlan, NamedType } from "./plan.js";
import { isRecord } from "./schema-normalize.js";
import { exampleFromSchema } from "./snippets/example.js";
import { jsLiteral } from "./snippets/literals.js";
import { createTypeRenderer } from "./types.js";

const INDENT = "    ";

export function renderIntegrationModule(plan: IntegrationPlan, fileName: string, head: string, ctx: CodegenContext): string {
  const named = new Map(plan.types.map((type) => [type.name, type.schema]));
  const renderer = createTypeRenderer(named);
  const typeStatements = plan.types.map((type) => `${typeDoc(type, plan)}export type ${type.name} = ${renderer.render(type.name, type.schema)};`);
  // One text block with blank lines between declarations: ts-morph joins string statements with bare newlines.
  const body = [...typeStatements, ...renderer.helpers(), clientInterface(plan), clientFactory(plan)].join("\n\n");
  const file = ctx.project.createSourceFile(
    fileName,
    {
      leadingTrivia: head,
      statements: [
        { kind: StructureKind.ImportDeclaration, isTypeOnly: true, namespaceImport: "runtime", moduleSpecifier: "./runtime.js" },
        body,
      ],
    },
    { overwrite: true },
  );
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
  const doc = jsdoc({ summary: "Binds every action to the transport. `createWaygate` calls this; application code does not need to." });
  // The literal is built without type arguments and cast once: checking 1 000+ generic calls
  // against the Client interface made every consumer build pay for all of them. The types
  // users see come from the Client interface above; this body is the generator's own wiring.
  return `${doc}export function createClient(transport: runtime.IntegrationTransport): Client {\n${INDENT}return ${objectBody(plan.tree, 2)} as unknown as Client;\n}`;
}

function objectBody(group: ClientGroup, depth: number): string {
  const pad = INDENT.repeat(depth);
  const lines = group.members.map(({ name, node }) => `${pad}${name}: ${"members" in node ? objectBody(node, depth + 1) : bind(node)},`);
  return `{\n${lines.join("\n")}\n${INDENT.repeat(depth - 1)}}`;
}

function bind(action: ActionPlan): string {
  const { name } = action.action;
  const pagination = action.pagination;
  // An unknown method is treated as POST: never retried without an idempotency key.
  const method = HttpMethodSchema.safeParse(action.action.method).data ?? "POST";
  const spec = `{ name: ${jsString(name)}, method: ${jsString(method)} }`;
  if (!action.itemType || !pagination) return `transport.action(${spec})`;
  return `transport.paginated(${spec}, ${inlineObject(pagination)})`;
}

function inlineObject(fields: Readonly<Record<string, string>>): string {
  return `{ ${Object.entries(fields).map(([key, value]) => `${key}: ${jsString(value)}`).join(", ")} }`;
}
