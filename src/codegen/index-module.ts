/**
 * Renders `index.ts`: `createWaygate(options)` returning one client per integration (each
 * bound when first read), the `Waygate` interface, per-integration type namespaces
 * (`Github.IssuesCreateInput`) and the runtime's public exports. Every top-level name here
 * comes from one naming table that already holds the runtime's exports, so `waygate-error`
 * as a slug cannot shadow `WaygateError`.
 */
import type { CodegenContext } from "./context.js";
import { jsdoc } from "./jsdoc.js";
import { PUBLIC_RUNTIME_MODULES } from "./runtime-build.js";
import { CONNECT_MEMBER, jsString, NameTable } from "./naming.js";
import type { IntegrationPlan } from "./plan.js";
import { printFile, type ImportLine } from "./print.js";
import { exampleFromSchema } from "./snippets/example.js";
import { jsLiteral } from "./snippets/literals.js";

const INDENT = "    ";

export interface IndexEntry {
  readonly plan: IntegrationPlan;
  /** Module file name without extension (`github`). */
  readonly module: string;
}

/** Every name runtime.d.ts exports, read from it so the two cannot drift. */
export function runtimeExports(declarations: string): string[] {
  const declared = [...declarations.matchAll(/^export\s+(?:declare\s+)?(?:abstract\s+)?(?:class|interface|type|function\*?|const|let|enum)\s+([A-Za-z_$][\w$]*)/gm)].map((match) => match[1] ?? "");
  const listed = [...declarations.matchAll(/^export\s*\{([^}]*)\}/gm)].flatMap((match) => (match[1] ?? "").split(",").map((entry) => entry.trim().split(/\s+as\s+/).pop() ?? ""));
  return [...new Set([...declared, ...listed])].filter((name) => name !== "").sort();
}

export function renderIndexModule(entries: readonly IndexEntry[], head: string, ctx: CodegenContext, withIntents = false): string {
  const publicDeclarations = PUBLIC_RUNTIME_MODULES.map((module) => ctx.templates.runtime.files.get(`${module}.d.ts`) ?? "");
  const table = new NameTable([...publicDeclarations.flatMap(runtimeExports), "createWaygate", "Waygate", "runtime"]);
  const named = entries.map((entry) => ({
    ...entry,
    clientType: table.claim(`${entry.plan.integration.slug} client`, "pascal"),
    binder: table.claim(`bind ${entry.plan.integration.slug}`, "camel"),
    namespace: table.claim(entry.plan.integration.slug, "pascal"),
  }));

  // `intents` is a root member (naming.ts gives an integration of that slug `intents$`); its type is claimed like any other name.
  const intentsType = withIntents ? table.claim("intents", "pascal") : undefined;
  const intentsBinder = withIntents ? table.claim("bind intents", "camel") : undefined;
  const imports: ImportLine[] = [
    { from: "./runtime.js", namespace: "runtime" },
    ...(withIntents ? [{ from: "./intents.js", named: [{ name: "bindIntents", alias: intentsBinder! }, { name: "Intents", ...(intentsType === "Intents" ? {} : { alias: intentsType! }), typeOnly: true }] } satisfies ImportLine] : []),
    ...named.map(
      (entry): ImportLine => ({
        from: `./${entry.module}.js`,
        named: [
          { name: "bindClient", alias: entry.binder },
          { name: "Client", alias: entry.clientType, typeOnly: true },
        ],
      }),
    ),
  ];

  const reexports = [
    ...PUBLIC_RUNTIME_MODULES.map((module) => `export * from "./${module}.js";`),
    ...(withIntents ? [`export type { ${intentsType} };`] : []),
    ...named.map((entry) => `export type { ${entry.clientType} };\nexport type * as ${entry.namespace} from ${jsString(`./${entry.module}.js`)};`),
  ].join("\n");

  const members = named.map(({ plan, clientType }) => {
    const doc = jsdoc({ summary: plan.integration.name, description: plan.integration.description ?? undefined }, INDENT);
    return `${doc}${INDENT}readonly ${plan.property}: ${clientType};`;
  });
  const withOptions = `${jsdoc({ summary: "A client with these options over this one's (a user's connection, another app); it shares the transport." }, INDENT)}${INDENT}withOptions(options: runtime.WaygateOptions): Waygate;\n${CONNECT_MEMBER}`;
  const intentsMember = withIntents ? [`${jsdoc({ summary: "Provider-neutral operations: the provider is chosen at run time." }, INDENT)}${INDENT}readonly intents: ${intentsType};`] : [];
  const waygate = `${jsdoc({ summary: "One client per integration in the manifest." })}export interface Waygate {\n${[...members, ...intentsMember, withOptions].join("\n")}\n}`;

  const first = named[0];
  const firstAction = first?.plan.actions.find((action) => !action.responseType) ?? first?.plan.actions[0];
  const exampleInput = firstAction ? jsLiteral(exampleFromSchema(firstAction.action.inputSchema)) : "";
  const exampleCall = first && firstAction ? `\nconst result = await wg.${[first.plan.property, ...firstAction.memberPath].join(".")}(${exampleInput});` : "";
  const factoryDoc = jsdoc({
    summary: "Creates the Waygate client. Calls go to `POST {baseUrl}/v1/invoke/{integration}/{action}`; each integration is bound when first used.",
    notes: [
      "Every option may come from the environment: `WAYGATE_API_KEY`, `WAYGATE_BASE_URL`, `WAYGATE_APP`. A bundle that imports this module holds every integration's module: a long action table (GitHub's) is there as group names, each group's actions loaded with `import()` when one of them is first called; a short one is whole. One that imports an integration's module (`createWaygate` from `./github.js`) holds only that integration's, and one that imports a group's module (`./github.issues.js`) that group's actions, bound at once.",
    ],
    example: { lang: "ts", code: `const wg = createWaygate({ apiKey: process.env.WAYGATE_API_KEY, baseUrl: "https://waygate.example.com", app: "web" });${exampleCall}` },
  });
  const bindings = [...named.map(({ plan, binder }) => `${INDENT.repeat(2)}[${jsString(plan.property)}, ${binder}],`), ...(withIntents ? [`${INDENT.repeat(2)}["intents", ${intentsBinder}],`] : [])];
  const list = bindings.length > 0 ? `[\n${bindings.join("\n")}\n${INDENT}]` : "[]";
  const factory = `${factoryDoc}export function createWaygate(options?: runtime.WaygateOptions): Waygate {\n${INDENT}return runtime.createRoot(options, ${list}) as Waygate;\n}`;
  return printFile(head, imports, [reexports, waygate, factory].join("\n\n"));
}
