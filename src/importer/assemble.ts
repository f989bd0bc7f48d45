import { IntegrationDefinitionSchema } from "../contract/integrations.js";
import type { ActionDefinitionInput, IntegrationDefinition } from "../contract/integrations.js";
import type { Context } from "./context.js";
import type { ApiModel } from "./model.js";
import { actionNames, preferNames, resolveCollisions, slugify } from "./naming.js";
import { detectPagination } from "./pagination.js";
import { fail } from "./problem.js";
import { SharedRefCycles } from "./ref-cycles.js";
import { errorSchemas, outputSchema, responseType } from "./responses.js";
import { buildInputSchema } from "./schema-merge.js";
import { compareStrings, isRecord, truncate, type JsonObject } from "./util.js";

const LIMITS = { summary: 1000, description: 100_000, tags: 50, tag: 200, path: 2000, name: 200 };

export interface Assembled {
  definition: IntegrationDefinition;
  /** Distinct `$defs` names used across all actions. */
  schemas: number;
}

/** Turns the format-neutral model into a validated IntegrationDefinition, actions sorted by name. */
export function assemble(api: ApiModel, ctx: Context): Assembled {
  const { warnings } = ctx;
  const baseUrl = chooseBaseUrl(api, ctx);
  const host = new URL(baseUrl).hostname;
  const title = (api.title ?? "").trim();
  const name = truncate((ctx.options.name ?? (title || host)).trim() || host, LIMITS.name);
  const slug = ctx.options.slug ?? slugify(title || host);

  if (api.operations.length === 0) fail("no_operations", "the document describes no operations", { source: ctx.sourceName });
  if (api.operations.length > ctx.limits.maxOperations) {
    fail("too_many_operations", `${api.operations.length} operations, over the limit of ${ctx.limits.maxOperations} (maxOperations)`, { source: ctx.sourceName });
  }

  const usedDefs = new Set<string>();
  const countedDefs = new WeakSet<object>();
  // First every operation's schemas, then their $ref cycles: those among the shared $defs are found once for all.
  const built: { op: (typeof api.operations)[number]; path: string; input: JsonObject; output: JsonObject | null; errors: JsonObject }[] = [];
  api.operations.forEach((op, index) => {
    if (index % 100 === 0) {
      ctx.checkAborted();
      ctx.progress({ stage: "normalising", done: index, total: api.operations.length });
    }
    let path = op.path;
    if (!path.startsWith("/")) path = "/" + path;
    if (path.length > LIMITS.path) {
      warnings.add("skipped_operation", `path longer than ${LIMITS.path} characters; operation skipped`, op.location);
      return;
    }
    built.push({ op, path, input: buildInputSchema(op, api.defs, warnings), output: outputSchema(op.responses, api.defs), errors: errorSchemas(op.responses, api.defs) });
  });
  const cycles = new SharedRefCycles(
    built.flatMap((entry) => [entry.input, entry.output, ...Object.values(entry.errors)]),
    api.defs,
    warnings,
    new Set<string>(),
  );
  const actions: (ActionDefinitionInput & { name: string; withTagWords?: string; method: ActionDefinitionInput["method"]; path: string })[] = [];
  built.forEach(({ op, path, ...schemas }, index) => {
    if (index % 100 === 0) ctx.checkAborted();
    const inputSchema = cycles.break(schemas.input);
    const output = schemas.output && cycles.break(schemas.output);
    const errors = Object.fromEntries(Object.entries(schemas.errors).map(([status, schema]) => [status, isRecord(schema) ? cycles.break(schema) : schema]));
    for (const schema of [inputSchema, output, ...Object.values(errors)]) {
      const members = isRecord(schema) ? schema["$defs"] : undefined;
      // Schemas share their `$defs` objects (see defsFor): each is counted once, not once per schema carrying it.
      if (!isRecord(members) || countedDefs.has(members)) continue;
      countedDefs.add(members);
      for (const key of Object.keys(members)) usedDefs.add(key);
    }
    const action: (typeof actions)[number] = {
      ...actionNames({ method: op.method, path, operationId: op.operationId, tags: op.tags, nameHint: op.nameHint }),
      method: op.method,
      path,
      deprecated: op.deprecated,
      tags: op.tags.slice(0, LIMITS.tags).map((tag) => truncate(tag, LIMITS.tag)),
      inputSchema,
      outputSchema: output,
      errors: errors as Record<string, Record<string, unknown>>,
      pagination: detectPagination(op, api.defs),
    };
    const kind = responseType(op.responses);
    if (kind !== undefined) action.responseType = kind;
    const summary = op.summary?.trim();
    if (summary) action.summary = truncate(summary, LIMITS.summary);
    const description = op.description?.trim();
    if (description) action.description = truncate(description, LIMITS.description);
    if (op.provenance) action.provenance = op.provenance;
    actions.push(action);
  });

  preferNames(actions);
  for (const action of actions) delete action.withTagWords;
  resolveCollisions(actions, warnings);
  actions.sort((a, b) => compareStrings(a.name, b.name));

  const candidate = {
    slug,
    name,
    ...(api.description?.trim() ? { description: truncate(api.description.trim(), LIMITS.description) } : {}),
    baseUrl,
    authSchemes: api.authSchemes,
    // "No auth declared" is not "no auth needed": say we do not know (never silently "none").
    authTypeUnverified: (api.authSchemes.length === 0 && !api.authDeclared) || api.authUnverified === true,
    actions,
  };
  const parsed = IntegrationDefinitionSchema.safeParse(candidate);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue ? issue.path.map(String).join("/") : "";
    fail("invalid_definition", `the imported definition is invalid at /${path}: ${issue?.message ?? "unknown problem"}`, { source: ctx.sourceName });
  }
  ctx.progress({ stage: "normalising", done: api.operations.length, total: api.operations.length });
  return { definition: parsed.data, schemas: usedDefs.size };
}

function chooseBaseUrl(api: ApiModel, ctx: Context): string {
  const raw = ctx.options.serverUrl ?? api.baseUrl;
  const source = { source: ctx.sourceName };
  if (raw === null || raw === undefined) {
    if (api.baseUrlProblem) fail("no_base_url", api.baseUrlProblem.message, api.baseUrlProblem.location);
    fail("no_base_url", "the document names no absolute server URL; pass --server-url URL (the API's serverUrl field)", source);
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    fail("no_base_url", `server URL ${JSON.stringify(raw.slice(0, 200))} is not an absolute URL; pass --server-url URL`, source);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") fail("no_base_url", `server URL ${url.href} is not http(s); pass --server-url URL`, source);
  url.hash = "";
  url.search = "";
  // Action paths start with "/", so the base carries no trailing slash.
  return url.href.replace(/\/+$/, "");
}
