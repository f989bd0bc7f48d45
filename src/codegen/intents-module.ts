/**
 * Renders the tenant's intents as `intents.types.d.ts` (canonical input and output types
 * per intent, and the `Intents` interface) and `intents.ts` (`bindIntents`, handing a
 * one-line-per-intent table to the runtime). The types reuse the integration planner: an
 * intent is planned as an action of a synthetic integration, so its schemas get the same
 * naming, hoisting and rendering as any action's.
 */
import type { ManifestIntent } from "../contract/sdk.js";
import type { CodegenContext } from "./context.js";
import { compare } from "./hoist.js";
import { jsdoc } from "./jsdoc.js";
import { CodegenError, jsString, NameTable } from "./naming.js";
import { planIntegration } from "./plan.js";
import { printFile } from "./print.js";
import { exampleFromSchema } from "./snippets/example.js";
import { jsLiteral } from "./snippets/literals.js";
import { createTypeRenderer } from "./types.js";

const INDENT = "    ";
export const INTENTS_MODULE = "intents.ts";
const TYPES_FILE = "intents.types.d.ts";
const TYPES_SPECIFIER = "./intents.types.js";

/** `intents.ts` and `intents.types.d.ts` for the manifest's intents (none: no files). */
export function intentFiles(intents: readonly ManifestIntent[], head: string, ctx: CodegenContext): Map<string, string> {
  if (intents.length === 0) return new Map();
  const sorted = [...intents].sort((a, b) => compare(a.name, b.name));
  const members = new NameTable([]);
  const rows = sorted.map((intent) => {
    if (!/^[a-z][a-z0-9]*(_[a-z0-9]+)*$/.test(intent.name)) throw new CodegenError(`invalid intent name ${JSON.stringify(intent.name)}`);
    return { intent, member: members.claim(intent.name, "camel") };
  });
  const plan = planIntegration(
    {
      slug: "intents",
      name: "Intents",
      description: null,
      version: 1,
      contentHash: "",
      baseUrl: "https://intents.invalid",
      authSchemes: [],
      authTypeUnverified: false,
      actions: rows.map(({ intent, member }) => ({
        name: member,
        method: "POST",
        path: `/v1/intents/${intent.name}/invoke`,
        inputSchema: intent.inputSchema,
        outputSchema: intent.outputSchema,
        deprecated: false,
        tags: [],
        errors: {},
        pagination: null,
      })),
    },
    ctx,
  );
  const byMember = new Map(plan.actions.map((action) => [action.action.name, action]));
  const renderer = createTypeRenderer(new Map(plan.types.map((type) => [type.name, type.schema])));
  const types = plan.types.map((type) => {
    const origin = type.origin;
    const summary = origin.kind === "def" ? `A shared schema of the intents.` : `${origin.kind === "input" ? "Canonical input" : "Canonical output"} of \`wg.intents.${origin.action.action.name}()\`.`;
    return `${jsdoc({ summary })}export type ${type.name} = ${type.fixed ?? renderer.render(type.name, type.schema)};`;
  });
  const methods = rows.map(({ intent, member }) => {
    const action = byMember.get(member)!;
    const providers = intent.providers.length > 0 ? [...intent.providers].sort().map(jsString).join(" | ") : "never";
    const doc = jsdoc(
      {
        summary: intent.description || `The \`${intent.name}\` intent.`,
        notes: [`Intent \`${intent.name}\` version ${intent.version}; providers: ${intent.providers.length > 0 ? [...intent.providers].sort().join(", ") : "none bound yet"}.`],
        example: { lang: "ts", code: `const result = await wg.intents.${member}(${jsLiteral(exampleFromSchema(intent.inputSchema))}, { user: "user_42" });\nconsole.log(result.provider, result.output, result.unsupported);` },
      },
      INDENT,
    );
    return `${doc}${INDENT}${member}(input: ${action.inputType}, options?: runtime.IntentOptions<${providers}>): Promise<runtime.IntentResult<${action.outputType}, ${providers}>>;`;
  });
  const face = `${jsdoc({ summary: "Provider-neutral operations: `wg.intents`. Each runs on the provider the end user connected, the preferred one, or the one named." })}export interface Intents {\n${methods.join("\n")}\n}`;
  const typesText = printFile(head, [{ from: "./runtime.js", namespace: "runtime", typeOnly: true }], [...types, ...renderer.helpers(), face, "export {};"].join("\n\n"));

  const table = rows.map(({ intent, member }) => `${member} ${intent.name}\n`).join("");
  const bind = `${jsdoc({ summary: "Binds `wg.intents` to a transport (used by `createWaygate` in index.ts)." })}export function bindIntents(transport: runtime.Transport): Intents {\n${INDENT}return runtime.bindIntents(transport, ${jsString(table)}) as Intents;\n}`;
  const moduleText = printFile(
    head,
    [
      { from: "./runtime.js", namespace: "runtime" },
      { from: TYPES_SPECIFIER, named: [{ name: "Intents" }], typeOnly: true },
    ],
    `export type * from ${jsString(TYPES_SPECIFIER)};\n\n${bind}`,
  );
  return new Map([
    [TYPES_FILE, typesText],
    [INTENTS_MODULE, moduleText],
  ]);
}
