/**
 * Renders `index.ts`: `createWaygate(options)` returning one client per integration,
 * the `Waygate` interface, per-integration type namespaces (`Github.IssuesCreateInput`)
 * and the runtime's public exports. Every top-level name here comes from one naming
 * table that already holds the runtime's exports, so `waygate-error` as a slug cannot
 * shadow `WaygateError`.
 */
import { StructureKind, type ImportDeclarationStructure } from "ts-morph";
import type { CodegenContext } from "./context.js";
import { jsdoc } from "./jsdoc.js";
import { escapeInvisible, jsString, NameTable } from "./naming.js";
import type { IntegrationPlan } from "./plan.js";
import { exampleFromSchema } from "./snippets/example.js";
import { jsLiteral } from "./snippets/literals.js";

const INDENT = "    ";

export interface IndexEntry {
  readonly plan: IntegrationPlan;
  /** Module file name without extension (`github`). */
  readonly module: string;
}

/** Every name `runtime.ts` exports, read from the template so the two cannot drift. */
export function runtimeExports(runtimeSource: string): string[] {
  const names = [...runtimeSource.matchAll(/^export\s+(?:declare\s+)?(?:abstract\s+)?(?:class|interface|type|function\*?|const|let|enum)\s+([A-Za-z_$][\w$]*)/gm)];
  return [...new Set(names.map((match) => match[1] ?? ""))].filter((name) => name !== "").sort();
}

export function renderIndexModule(entries: readonly IndexEntry[], apiUrl: string, head: string, ctx: CodegenContext): string {
  const table = new NameTable([...runtimeExports(ctx.templates.runtime), "createWaygate", "Waygate"]);
  const named = entries.map((entry) => ({
    ...entry,
    clientType: table.claim(`${entry.plan.integration.slug} client`, "pascal"),
    factory: table.claim(`create ${entry.plan.integration.slug} client`, "camel"),
    namespace: table.claim(entry.plan.integration.slug, "pascal"),
  }));

  const imports: ImportDeclarationStructure[] = [
    {
      kind: StructureKind.ImportDeclaration,
      moduleSpecifier: "./runtime.js",
      namedImports: ["createTransport", { name: "WaygateOptions", isTypeOnly: true }],
    },
    ...named.map(
      (entry): ImportDeclarationStructure => ({
        kind: StructureKind.ImportDeclaration,
        moduleSpecifier: `./${entry.module}.js`,
        namedImports: [
          { name: "createClient", alias: entry.factory },
          { name: "Client", alias: entry.clientType, isTypeOnly: true },
        ],
      }),
    ),
  ];

  const reexports = [
    `export * from "./runtime.js";`,
    ...named.map((entry) => `export type { ${entry.clientType} };\nexport type * as ${entry.namespace} from ${jsString(`./${entry.module}.js`)};`),
  ].join("\n");

  const members = named.map(({ plan, clientType }) => {
    const doc = jsdoc({ summary: plan.integration.name, description: plan.integration.description ?? undefined }, INDENT);
    return `${doc}${INDENT}readonly ${plan.property}: ${clientType};`;
  });
  const waygate = `${jsdoc({ summary: "One client per integration in the manifest." })}export interface Waygate {\n${members.join("\n")}\n}`;

  const bindings = named.map(
    ({ plan, factory }) =>
      `${INDENT.repeat(2)}${plan.property}: ${factory}(transport.integration(${jsString(plan.integration.slug)}, ${plan.integration.version})),`,
  );
  const first = named[0]?.plan;
  const firstAction = first?.actions[0];
  const exampleInput = firstAction ? jsLiteral(exampleFromSchema(firstAction.action.inputSchema)) : "";
  const exampleCall = first && firstAction ? `\nconst result = await wg.${[first.property, ...firstAction.memberPath].join(".")}(${exampleInput});` : "";
  const factoryDoc = jsdoc({
    summary: "Creates the Waygate client. Calls go to `POST {baseUrl}/v1/invoke/{integration}/{action}`.",
    notes: [
      `\`baseUrl\` defaults to ${apiUrl}; set \`onVersionMismatch\` to hear when Waygate ran another integration version than this client was generated against.`,
    ],
    example: { lang: "ts", code: `const wg = createWaygate({ apiKey: process.env.WAYGATE_API_KEY ?? "" });${exampleCall}` },
  });
  const transport = `createTransport(options, { baseUrl: ${jsString(apiUrl)} })`;
  // With no integrations the transport is still built, for its option checks.
  const body =
    bindings.length > 0
      ? `${INDENT}const transport = ${transport};\n${INDENT}return {\n${bindings.join("\n")}\n${INDENT}};`
      : `${INDENT}${transport};\n${INDENT}return {};`;
  const factory = `${factoryDoc}export function createWaygate(options: WaygateOptions): Waygate {\n${body}\n}`;

  const file = ctx.project.createSourceFile(
    "index.ts",
    { leadingTrivia: head, statements: [...imports, [reexports, waygate, factory].join("\n\n")] },
    { overwrite: true },
  );
  const text = file.getFullText();
  ctx.project.removeSourceFile(file);
  return escapeInvisible(text);
}
