import {
  InvokeProblemTypes,
  problemTypes,
  problemTypeUri,
  type BindIntent,
  type CreateIntent,
  type FieldError,
  type Intent,
  type IntentBinding,
  type IntentResult,
  type InvokeIntent,
  type JsonSchema,
  type VersionChange,
} from "../contract/index.js";
import type { GatewayProblem } from "../gateway/index.js";
import { connectionRequired, invalidInput } from "../gateway/problems.js";
import { isRetrySafe, isRetryableStatus } from "../gateway/retry.js";
import { SchemaCompileError, SchemaValidator } from "../gateway/schema-validator.js";
import { applyMapping, checkMapping, unsupportedFields, unsupportedIn } from "../intents/mapping.js";
import { intentTemplate } from "../intents/templates.js";
import { canonicalJson } from "../lib/canonical-json.js";
import type { IntentVersionRecord, Store } from "../store/index.js";
import { diffSchemas } from "../versioning/index.js";
import { InvokeError, type Caller, type InvokeService } from "./invoke.js";

export type CreateIntentOutcome =
  | { kind: "created"; intent: Intent; created: boolean; changes: VersionChange[] }
  | { kind: "breaking"; changes: VersionChange[] }
  | { kind: "invalid"; errors: FieldError[] };

export type BindOutcome = { kind: "bound"; intent: Intent } | { kind: "not-found"; what: string } | { kind: "invalid"; errors: FieldError[] };

/** Per-call options of an intent invoke besides the body: what the HTTP route reads from headers. */
export interface IntentCallOptions {
  idempotencyKey?: string | undefined;
  signal?: AbortSignal | undefined;
}

/** A schema with nothing in it: an intent created without an output schema returns whatever its bindings map. */
const EMPTY_OBJECT_SCHEMA: JsonSchema = { type: "object", properties: {} };

/** Provider-side failures worth trying another provider for: the provider, not the request, is the problem. */
const PROVIDER_FAILURES = new Set<string>([InvokeProblemTypes.upstreamUnreachable, InvokeProblemTypes.upstreamTimeout, InvokeProblemTypes.rateLimitWaitExceeded]);

/**
 * Intents: provider-neutral operations over the integrations' actions. This service owns
 * the rules: an intent's versions are immutable and classified like integration versions;
 * a binding is accepted only when its mapping fits both schemas; an invoke picks the
 * provider (explicit, else the end user's connections in preference order), maps the
 * canonical input, runs the action through the InvokeService, and maps the output back,
 * saying which canonical fields the provider could not honour.
 */
export class IntentService {
  constructor(
    private readonly store: Store,
    private readonly invoker: InvokeService,
    private readonly validator: SchemaValidator = new SchemaValidator(),
  ) {}

  async create(tenantId: string, body: CreateIntent): Promise<CreateIntentOutcome> {
    const template = body.template ? intentTemplate(body.template) : undefined;
    const inputSchema = body.inputSchema ?? template?.inputSchema;
    const outputSchema = body.outputSchema ?? template?.outputSchema ?? EMPTY_OBJECT_SCHEMA;
    if (!inputSchema) {
      return { kind: "invalid", errors: [{ field: "body.inputSchema", message: "an intent needs a canonical input schema: pass inputSchema, or a template (messages, tickets, contacts, files)" }] };
    }
    const errors = [...this.schemaErrors(inputSchema, "body.inputSchema"), ...this.schemaErrors(outputSchema, "body.outputSchema")];
    if (errors.length > 0) return { kind: "invalid", errors };
    const description = body.description || template?.description || "";
    const latest = await this.store.intents.get(tenantId, body.name);
    const changes = latest ? schemaChanges(latest, { inputSchema, outputSchema }) : [];
    if (latest && changes.length === 0 && latest.description === description) {
      return { kind: "created", intent: await this.describe(tenantId, latest), created: false, changes };
    }
    if (body.failOnBreaking && changes.some((change) => change.severity === "breaking")) return { kind: "breaking", changes };
    const record = await this.store.intents.append(tenantId, { name: body.name, description, inputSchema, outputSchema });
    return { kind: "created", intent: await this.describe(tenantId, record), created: true, changes };
  }

  async get(tenantId: string, name: string, version?: number): Promise<Intent | undefined> {
    const record = await this.store.intents.get(tenantId, name, version);
    return record && this.describe(tenantId, record);
  }

  async list(tenantId: string): Promise<Intent[]> {
    const records = await this.store.intents.listLatest(tenantId);
    return Promise.all(records.map((record) => this.describe(tenantId, record)));
  }

  /** The classified changes between two versions; undefined when either is missing. */
  async diff(tenantId: string, name: string, from: number, to: number): Promise<VersionChange[] | undefined> {
    const [before, after] = await Promise.all([this.store.intents.get(tenantId, name, from), this.store.intents.get(tenantId, name, to)]);
    return before && after ? schemaChanges(before, after) : undefined;
  }

  /**
   * Binds an integration's action (at its current version) to an intent version. The mapping
   * is checked against the canonical schemas and the action's: a required action input
   * nothing fills, a required canonical output nothing fills, a field that does not exist or
   * a type that does not fit is refused, naming the field.
   */
  async bind(tenantId: string, name: string, slug: string, body: BindIntent): Promise<BindOutcome> {
    const intent = await this.store.intents.get(tenantId, name, body.intentVersion);
    if (!intent) return { kind: "not-found", what: body.intentVersion ? `intent "${name}" version ${body.intentVersion}` : `intent "${name}"` };
    let prepared;
    try {
      prepared = await this.invoker.prepare({ tenantId, appId: null }, slug, body.action);
    } catch (error) {
      if (error instanceof InvokeError && error.problem.status === 404) return { kind: "not-found", what: error.problem.detail?.replace(/ not found$/, "") ?? `${slug} ${body.action}` };
      throw error;
    }
    const { action } = prepared;
    const label = `${slug} ${action.name}`;
    const errors = [
      ...checkMapping(body.mapping.input, { source: intent.inputSchema, target: action.inputSchema, sourceName: `the canonical input of ${name}`, targetName: `${label}'s input`, strictSources: true }, "body.mapping.input"),
      ...checkMapping(body.mapping.output, { source: action.outputSchema, target: intent.outputSchema, sourceName: `${label}'s output`, targetName: `the canonical output of ${name}`, strictSources: false }, "body.mapping.output"),
    ];
    if (errors.length > 0) return { kind: "invalid", errors };
    await this.store.intents.bind(tenantId, name, intent.version, {
      integration: slug,
      action: action.name,
      integrationVersion: prepared.version,
      mapping: body.mapping,
      unsupported: unsupportedFields(body.mapping.input, intent.inputSchema),
    });
    return { kind: "bound", intent: await this.describe(tenantId, intent) };
  }

  /** Runs an intent for a caller. Refusals and provider failures are InvokeErrors, as for invoke. */
  async invoke(caller: Caller, name: string, call: InvokeIntent, options: IntentCallOptions = {}): Promise<IntentResult> {
    const pinned = caller.appId ? await this.store.intents.pinned(caller.appId, name) : undefined;
    const intent = await this.store.intents.get(caller.tenantId, name, pinned);
    if (!intent) throw notFound(`intent "${name}"${pinned ? ` version ${pinned} (the app's pin)` : ""} not found`);
    const mismatches = this.validate(intent.inputSchema, call.input, "input");
    if (mismatches.length > 0) {
      throw invalidCall(`the input does not match ${name}'s canonical input schema: ${mismatches[0]!.field}: ${mismatches[0]!.message}`, mismatches);
    }
    const bindings = await this.store.intents.bindings(caller.tenantId, name, intent.version);
    const user = call.user ?? call.connection;
    const candidates = await this.candidates(caller, intent, bindings, call.provider, user);
    const unknownExtras = Object.keys(call.extras).filter((slug) => !bindings.some((binding) => binding.integration === slug));
    if (unknownExtras.length > 0) {
      throw invalidCall(`extras name ${unknownExtras.join(", ")}, which ${unknownExtras.length === 1 ? "is" : "are"} not bound to ${name} (bound: ${bindings.map((binding) => binding.integration).join(", ") || "none"})`, unknownExtras.map((slug) => ({ field: `body.extras.${slug}`, message: "not a provider of this intent" })));
    }
    const fallbacks: IntentResult["fallbacks"] = [];
    for (const [index, { binding, selectedBy }] of candidates.entries()) {
      const extras = call.extras[binding.integration];
      const input = extras ? { ...applyMapping(binding.mapping.input, call.input), ...extras } : applyMapping(binding.mapping.input, call.input);
      // With extras, checked here to say so in the refusal; otherwise the gateway checks the input as for any invoke.
      if (extras) {
        const problems = (await this.invoker.prepare(caller, binding.integration, binding.action)).check(input);
        if (problems) throw invalidCall(`${binding.integration} ${binding.action} refuses the mapped input with its extras: ${problems.detail}`, problems.errors);
      }
      try {
        const result = await this.invoker.invoke(caller, {
          integration: binding.integration,
          action: binding.action,
          input,
          connection: user,
          idempotencyKey: options.idempotencyKey,
          retries: call.retries,
          timeoutMs: call.timeoutMs,
          headers: call.headers,
          signal: options.signal,
        });
        const raw = result.raw ? null : (result.body ?? null);
        const output = applyMapping(binding.mapping.output, raw);
        const warnings = [...result.warnings, ...this.validate(intent.outputSchema, output, "output").map((error) => `canonical output ${error.field}: ${error.message}`)];
        if (result.raw) warnings.push(`${binding.integration} answered ${result.raw.contentType || "a non-JSON body"}, which cannot be mapped`);
        return {
          intent: name,
          version: intent.version,
          provider: binding.integration,
          action: binding.action,
          integrationVersion: result.version.executed,
          selectedBy: fallbacks.length > 0 ? "fallback" : selectedBy,
          status: result.status,
          output,
          raw,
          unsupported: unsupportedIn(call.input, binding.unsupported),
          fallbacks,
          warnings,
        };
      } catch (error) {
        const last = index === candidates.length - 1;
        if (!(error instanceof InvokeError) || last || !call.fallback || !providerFailure(error.problem)) throw error;
        // Another provider only when this one cannot have done the work: a read, or a write the upstream deduplicates.
        const { action } = await this.invoker.prepare(caller, binding.integration, binding.action);
        if (!isRetrySafe(action.method, options.idempotencyKey)) throw error;
        fallbacks.push({ provider: binding.integration, action: binding.action, status: error.problem.upstream?.status ?? error.problem.status, detail: error.problem.detail ?? error.problem.title });
      }
    }
    // candidates() never answers an empty list.
    throw new Error("unreachable: no provider was tried");
  }

  /** The providers to try, in order: the one named, else the bound providers the end user is connected to, by preference. */
  private async candidates(caller: Caller, intent: IntentVersionRecord, bindings: readonly IntentBinding[], provider: string | undefined, user: string | undefined): Promise<{ binding: IntentBinding; selectedBy: IntentResult["selectedBy"] }[]> {
    const bound = bindings.map((binding) => binding.integration).join(", ") || "none";
    if (bindings.length === 0) {
      throw notFound(`intent "${intent.name}" version ${intent.version} has no provider bound: bind one with \`waygate intents bind ${intent.name} <integration> <action> --mapping map.json\``);
    }
    if (provider !== undefined) {
      const binding = bindings.find((candidate) => candidate.integration === provider);
      if (!binding) throw notFound(`"${provider}" is not bound to intent "${intent.name}" version ${intent.version} (bound: ${bound})`);
      return [{ binding, selectedBy: "explicit" }];
    }
    const connected = new Set(await this.store.connections.connectedIntegrations(caller, user ?? null));
    const usable = bindings.filter((binding) => connected.has(binding.integration));
    if (usable.length === 0) {
      throw new InvokeError(
        connectionRequired(
          `${user === undefined ? "the app has no shared connection" : `end user "${user}" has no connection`} to any provider of intent "${intent.name}" (${bound}): connect one, or name a provider`,
        ).problem,
        null,
      );
    }
    const preference: readonly string[] = (caller.appId ? await this.store.intents.preference(caller.tenantId, caller.appId, intent.name) : undefined) ?? (await this.store.intents.preference(caller.tenantId, null, intent.name)) ?? [];
    const rank = (slug: string) => {
      const at = preference.indexOf(slug);
      return at === -1 ? preference.length : at;
    };
    usable.sort((a, b) => rank(a.integration) - rank(b.integration) || (a.integration < b.integration ? -1 : 1));
    const selectedBy = usable.length === 1 || !preference.includes(usable[0]!.integration) ? "connection" : "preference";
    return usable.map((binding) => ({ binding, selectedBy }));
  }

  private async describe(tenantId: string, record: IntentVersionRecord): Promise<Intent> {
    const [bindings, latest, preference] = await Promise.all([
      this.store.intents.bindings(tenantId, record.name, record.version),
      this.store.intents.get(tenantId, record.name),
      this.store.intents.preference(tenantId, null, record.name),
    ]);
    return {
      name: record.name,
      version: record.version,
      latestVersion: latest?.version ?? record.version,
      description: record.description,
      inputSchema: record.inputSchema,
      outputSchema: record.outputSchema,
      bindings: [...bindings],
      preference: [...(preference ?? [])],
      createdAt: record.createdAt,
    };
  }

  private schemaErrors(schema: JsonSchema, field: string): FieldError[] {
    try {
      this.validator.compile(schema);
    } catch (error) {
      if (error instanceof SchemaCompileError) return [{ field, message: `not a usable JSON Schema: ${error.message}` }];
      throw error;
    }
    if (schema["type"] !== "object") return [{ field, message: `must describe an object ("type": "object"), so its fields can be mapped` }];
    return [];
  }

  private validate(schema: JsonSchema, value: unknown, root: string): FieldError[] {
    const result = this.validator.compile(schema).validate(value, root);
    return result.valid ? [] : result.errors;
  }
}

/** Canonical schema changes, classified by the same rules as an action's input and output. */
function schemaChanges(before: { inputSchema: JsonSchema; outputSchema: JsonSchema }, after: { inputSchema: JsonSchema; outputSchema: JsonSchema }): VersionChange[] {
  if (canonicalJson(before.inputSchema) === canonicalJson(after.inputSchema) && canonicalJson(before.outputSchema) === canonicalJson(after.outputSchema)) return [];
  return [
    ...diffSchemas(before.inputSchema, after.inputSchema, { direction: "input", pointer: "/inputSchema" }),
    ...diffSchemas(before.outputSchema, after.outputSchema, { direction: "output", pointer: "/outputSchema" }),
  ];
}

function providerFailure(problem: GatewayProblem): boolean {
  if (problem.type === InvokeProblemTypes.upstreamError) return isRetryableStatus(problem.upstream?.status ?? problem.status);
  return PROVIDER_FAILURES.has(problem.type);
}

function notFound(detail: string): InvokeError {
  return new InvokeError({ type: problemTypeUri("not-found"), title: problemTypes["not-found"].title, status: 404, detail }, null);
}

function invalidCall(detail: string, errors: FieldError[]): InvokeError {
  return new InvokeError(invalidInput(detail, errors.length > 0 ? errors : undefined).problem, null);
}
