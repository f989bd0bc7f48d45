import { InvokeProblemTypes, type ToolCallResult } from "../contract/index.js";
import type { GatewayProblem } from "../gateway/index.js";
import { remember } from "../lib/bounded-map.js";
import { InvokeError, type Caller, type InvokeService } from "../services/invoke.js";
import type { Store } from "../store/index.js";
import { buildTools, type DescriptorOptions, type ToolDescriptor } from "./descriptor.js";
import { slugOfToolName } from "./names.js";
import { describeIntents, intentOfToolName } from "./intents.js";
import type { IntentService } from "../services/intents.js";
import { trimText } from "./schema.js";
import { selectTools, type ToolSelection } from "./select.js";

export interface ToolCall {
  name: string;
  arguments?: unknown;
  /** A connection id or the end user's id, as for invoke. */
  connection?: string | undefined;
  signal?: AbortSignal | undefined;
}

export type ToolsOutcome = { kind: "tools"; tools: ToolDescriptor[] } | { kind: "missing"; slug: string };

export interface ToolServiceOptions extends DescriptorOptions {
  /** Longest `content` text of a call result. Default 16 000 characters (about 4 000 tokens). */
  maxContentChars?: number;
  /** Lists the tenant's intents as tools too (`intent_<name>`), and runs them. */
  intents?: IntentService;
}

interface IntegrationTools {
  tools: ToolDescriptor[];
  byName: Map<string, ToolDescriptor>;
}

/**
 * Tool lists are derived from immutable versions: cached by version id. A list as large as
 * GitHub's (1 223 tools) holds several MB, so only the last few built are kept.
 */
const CACHE_LIMIT = 16;
const HASHED_NAME = /__[0-9a-f]{10}$/;

/**
 * Actions as AI tools for a caller: the tools of each integration at the version the
 * caller's app runs (its pin, else current, as the SDK manifest resolves them), and calls
 * that are invokes through the InvokeService, so a tool call gets the app's pins,
 * connections, validation and mappings like any other call.
 */
export class ToolService {
  private readonly cache = new Map<string, IntegrationTools>();

  constructor(
    private readonly store: Store,
    private readonly invoke: InvokeService,
    private readonly options: ToolServiceOptions = {},
  ) {}

  /** The caller's tools, ordered by name; `selection.integrations` names must exist and be published. */
  async tools(caller: Caller, selection: ToolSelection = {}): Promise<ToolsOutcome> {
    const explicit = selection.integrations !== undefined && selection.integrations.length > 0;
    const slugs = explicit ? [...new Set(selection.integrations)] : await this.allSlugs(caller.tenantId);
    const all: ToolDescriptor[] = [];
    for (const slug of slugs) {
      const found = await this.integrationTools(caller, slug);
      if (found.kind === "tools") all.push(...found.tools);
      else if (explicit) return found;
    }
    // Intents belong to no integration: listed unless the selection names integrations.
    const intentMode = selection.intents ?? "include";
    if (!explicit && this.options.intents && intentMode !== "exclude") {
      const intents = await this.options.intents.list(caller.tenantId);
      const intentTools = describeIntents(intents, this.options);
      if (intentMode === "replace") {
        // One tool per intent instead of one per provider: the actions an intent is bound to go.
        const bound = new Set(intentTools.flatMap((tool) => intents.find((intent) => intent.name === tool.action)!.bindings.map((binding) => `${binding.integration}\u0000${binding.action}`)));
        all.splice(0, all.length, ...all.filter((tool) => !bound.has(`${tool.integration}\u0000${tool.action}`)));
      }
      all.push(...intentTools);
    }
    all.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return { kind: "tools", tools: selectTools(all, selection) };
  }

  /** One tool by name, or undefined. */
  async find(caller: Caller, name: string): Promise<ToolDescriptor | undefined> {
    const slug = slugOfToolName(name);
    const direct = slug === null ? null : await this.integrationTools(caller, slug);
    if (direct?.kind === "tools") return direct.byName.get(name);
    // A hashed name whose slug was cut (slugs over ~50 characters) names no integration: look through every one.
    if (slug !== null && HASHED_NAME.test(name)) {
      const every = await this.tools(caller);
      if (every.kind === "tools") return every.tools.find((tool) => tool.name === name);
    }
    return undefined;
  }

  async call(caller: Caller, call: ToolCall): Promise<ToolCallResult> {
    const intent = intentOfToolName(call.name);
    if (intent !== null && this.options.intents) return this.callIntent(caller, this.options.intents, intent, call);
    const tool = await this.find(caller, call.name);
    if (!tool) {
      return failure(call.name, null, `There is no tool named "${call.name}" for this app. List the tools again and use a name from that list.`, null);
    }
    const input = call.arguments ?? {};
    if (typeof input !== "object" || input === null || Array.isArray(input)) {
      return failure(tool.name, 400, `The arguments of ${tool.name} must be a JSON object matching its input schema, not ${Array.isArray(input) ? "an array" : typeof input}.`, null, InvokeProblemTypes.invalidInput);
    }
    try {
      const result = await this.invoke.invoke(caller, {
        integration: tool.integration,
        action: tool.action,
        input,
        connection: call.connection,
        ...(call.signal ? { signal: call.signal } : {}),
      });
      const body = result.raw ? `(${result.raw.contentType || "binary"} body of ${result.raw.bytes.byteLength} bytes, not shown)` : result.body;
      const text = typeof body === "string" ? body : body === null || body === undefined ? `(no body; status ${result.status})` : JSON.stringify(body);
      const cut = this.cut(text);
      return { tool: tool.name, isError: false, status: result.status, content: cut.text, structured: result.raw ? null : (result.body ?? null), version: result.version.executed, truncated: cut.truncated };
    } catch (error) {
      if (!(error instanceof InvokeError)) throw error;
      const cut = this.cut(explain(tool, error.problem, call.connection));
      return {
        tool: tool.name,
        isError: true,
        status: error.problem.upstream?.status ?? error.problem.status,
        content: cut.text,
        structured: error.problem,
        errorType: error.problem.type,
        ...(error.version ? { version: error.version.executed } : {}),
        truncated: cut.truncated,
      };
    }
  }

  /** An intent tool: the intent run for the end user, the answer saying which provider ran and what it could not honour. */
  private async callIntent(caller: Caller, intents: IntentService, intent: string, call: ToolCall): Promise<ToolCallResult> {
    const name = call.name;
    const input = call.arguments ?? {};
    if (typeof input !== "object" || input === null || Array.isArray(input)) {
      return failure(name, 400, `The arguments of ${name} must be a JSON object matching its input schema.`, null, InvokeProblemTypes.invalidInput);
    }
    try {
      const result = await intents.invoke(caller, intent, { input: input as Record<string, unknown>, user: call.connection, fallback: false, extras: {} }, { signal: call.signal });
      const unsupported = result.unsupported.length > 0 ? ` ${result.provider} could not honour: ${result.unsupported.join(", ")}.` : "";
      const cut = this.cut(`Ran on ${result.provider} (${result.action}).${unsupported} Output: ${JSON.stringify(result.output)}`);
      return { tool: name, isError: false, status: result.status, content: cut.text, structured: result, version: result.version, truncated: cut.truncated };
    } catch (error) {
      if (!(error instanceof InvokeError)) throw error;
      const cut = this.cut(`${error.problem.title}: ${error.problem.detail ?? ""}`);
      return { tool: name, isError: true, status: error.problem.upstream?.status ?? error.problem.status, content: cut.text, structured: error.problem, errorType: error.problem.type, truncated: cut.truncated };
    }
  }

  private cut(text: string): { text: string; truncated: boolean } {
    const max = this.options.maxContentChars ?? 16_000;
    if (text.length <= max) return { text, truncated: false };
    return { text: `${text.slice(0, max)}… (cut: ${max} of ${text.length} characters shown; ask for fewer items or fields)`, truncated: true };
  }

  private async integrationTools(caller: Caller, slug: string): Promise<({ kind: "tools" } & IntegrationTools) | Exclude<ToolsOutcome, { kind: "tools" }>> {
    // The same (cached) resolution invoke makes, so the tools listed are the ones a call runs; pins and
    // current versions only ever name published versions.
    const target = await this.store.apps.invokeTarget(caller.tenantId, caller.appId, slug);
    if (!target?.version) return { kind: "missing", slug };
    const { id: versionId, number: version } = target.version;
    let cached = this.cache.get(versionId);
    if (!cached) {
      const definition = await this.store.versions.definition(caller.tenantId, slug, version);
      if (!definition) return { kind: "missing", slug };
      const { tools } = buildTools([{ slug, name: definition.name, version, actions: definition.actions }], this.options);
      cached = { tools, byName: new Map(tools.map((tool) => [tool.name, tool])) };
      remember(this.cache, versionId, cached, CACHE_LIMIT);
    }
    return { kind: "tools", ...cached };
  }

  private async allSlugs(tenantId: string): Promise<string[]> {
    const slugs: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.store.integrations.list(tenantId, { limit: 200, cursor });
      slugs.push(...page.data.map((integration) => integration.slug));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return slugs;
  }
}

function failure(tool: string, status: number | null, content: string, structured: unknown, errorType?: string): ToolCallResult {
  return { tool, isError: true, status, content, structured, ...(errorType ? { errorType } : {}), truncated: false };
}

/** What went wrong, said so that a model knows what to do next. */
function explain(tool: ToolDescriptor, problem: GatewayProblem, connection: string | undefined): string {
  switch (problem.type) {
    case InvokeProblemTypes.invalidInput: {
      const fields = (problem.errors ?? []).map((error) => `${error.field.replace(/^(body\.)?input\.?/, "") || "(arguments)"}: ${error.message}`);
      return `Invalid arguments for ${tool.name}: ${fields.length > 0 ? fields.join("; ") : problem.detail}. Fix the arguments to match the tool's input schema and call it again.`;
    }
    case InvokeProblemTypes.connectionRequired:
    case InvokeProblemTypes.connectionNotFound:
    case InvokeProblemTypes.connectionNeedsReauth:
    case InvokeProblemTypes.authMissing:
      return (
        `No usable ${tool.integration} connection${connection ? ` for "${connection}"` : " for this app"}: ${problem.detail}. ` +
        (problem.connectUrl
          ? `The user has to connect their ${tool.integration} account at ${problem.connectUrl} before this tool can work; retrying will not help until then.`
          : `The user has to connect their ${tool.integration} account in Waygate (waygate connect ${tool.integration} --user <id>) before this tool can work; retrying will not help until then.`)
      );
    case InvokeProblemTypes.upstreamError: {
      const upstream = problem.upstream;
      const body = upstream?.body === undefined || upstream.body === null ? "" : typeof upstream.body === "string" ? upstream.body : JSON.stringify(upstream.body);
      const hint = upstream && upstream.status >= 400 && upstream.status < 500 ? " Check the arguments (ids, names, permissions) before retrying." : " This may be temporary.";
      return `${tool.integration} answered ${upstream?.status ?? problem.status} to ${tool.method} ${tool.path}${body ? `: ${trimText(body, 4_000)}` : ""}.${hint}`;
    }
    default: {
      const wait = problem.retryAfterMs === undefined ? "" : ` Try again in ${Math.ceil(problem.retryAfterMs / 1000)} s.`;
      return `${problem.title}: ${problem.detail}.${wait}`;
    }
  }
}
