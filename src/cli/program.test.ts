import { CommanderError } from "commander";
import { describe, expect, it } from "vitest";
import type { Executor } from "./command.js";
import { buildProgram } from "./program.js";

/** Parses argv with a recording executor: nothing runs, we see what the verb would get. */
async function parse(argv: string[]) {
  const calls: Array<{ command: string; options: unknown; globals: unknown }> = [];
  const execute: Executor = async ({ command, options, globals }) => void calls.push({ command, options, globals });
  let stderr = "";
  const program = buildProgram({ execute, writeOut: () => {}, writeErr: (text) => (stderr += text) });
  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) return { error, stderr };
    throw error;
  }
  expect(calls).toHaveLength(1);
  return calls[0]!;
}

describe("argv → options", () => {
  it.each([
    [["integrations", "list"], "integrations list", { all: false }],
    [["int", "ls", "--search", "git", "--limit", "5", "--all"], "integrations list", { search: "git", limit: 5, all: true }],
    [["integrations", "show", "github"], "integrations show", { slug: "github", full: false }],
    [["integrations", "show", "github", "--full"], "integrations show", { slug: "github", full: true }],
    [["integrations", "create", "-"], "integrations create", { file: "-" }],
    [["integrations", "delete", "github"], "integrations delete", { slug: "github" }],
    [["actions", "list", "github", "--version", "3", "--search", "issue"], "actions list", { integration: "github", version: 3, search: "issue", all: false }],
    [["actions", "show", "github", "issues.create"], "actions show", { integration: "github", action: "issues.create" }],
    [["login", "--with-token"], "login", { withToken: true }],
    [["logout"], "logout", {}],
    [["whoami"], "whoami", {}],
    [["keys", "create", "--name", "ci"], "keys create", { name: "ci" }],
    [["keys", "revoke", "key_1"], "keys revoke", { keyId: "key_1" }],
    [["server", "init", "--tenant", "acme", "--data-dir", "/tmp/x"], "server init", { tenant: "acme", dataDir: "/tmp/x", force: false }],
    [["server", "init", "--database-url", "postgres://db/x", "--force"], "server init", { tenant: "default", databaseUrl: "postgres://db/x", force: true }],
    // Only flags given: the environment and the defaults fill the rest (server/config.ts).
    [["server", "start"], "server start", {}],
    [["server", "start", "--host", "0.0.0.0", "--port", "0"], "server start", { host: "0.0.0.0", port: 0 }],
    [["server", "start", "--no-migrate", "--allow-private-upstreams", "--log-level", "warn"], "server start", { migrate: false, upstreams: "private", logLevel: "warn" }],
    [["server", "config", "--port", "5000"], "server config", { port: 5000 }],
    [["server", "tenants", "create", "globex"], "server tenants create", { name: "globex" }],
    [["server", "tenants", "list", "--data-dir", "d"], "server tenants list", { dataDir: "d" }],
    [["connections", "show", "con_1"], "connections show", { id: "con_1" }],
    [["connections", "show", "con_1", "--app", "web"], "connections show", { id: "con_1", app: "web" }],
    [["conn", "rm", "con_1", "--app", "web"], "connections delete", { id: "con_1", app: "web" }],
    [["connections", "test", "con_1", "--app", "web"], "connections test", { id: "con_1", app: "web" }],
    [["connect", "github", "--user", "u1"], "connect", { integration: "github", user: "u1", wait: true }],
    [["connect", "github", "--user", "u1", "--app", "web", "--open", "--expires-in", "600", "--no-wait"], "connect", { integration: "github", user: "u1", app: "web", open: true, expiresIn: 600, wait: false }],
    [
      ["apps", "oauth-clients", "set", "web", "github", "--client-id", "Iv1", "--client-secret", "-", "--scopes", "repo,user"],
      "apps oauth-clients set",
      { target: "web", integration: "github", clientId: "Iv1", clientSecret: "-", scopes: "repo,user" },
    ],
    [["apps", "oauth-clients", "ls", "@tenant"], "apps oauth-clients list", { target: "@tenant" }],
    [["apps", "oauth-clients", "rm", "web", "github"], "apps oauth-clients delete", { target: "web", integration: "github" }],
    [["apps", "redirect-urls", "set", "web", "https://a.example/done", "https://a.example/x/"], "apps redirect-urls set", { app: "web", urls: ["https://a.example/done", "https://a.example/x/"] }],
    [["apps", "redirect-urls", "set", "web"], "apps redirect-urls set", { app: "web", urls: [] }],
    [["tools", "export"], "tools export", { format: "jsonschema" }],
    [
      ["tools", "export", "--format", "openai", "--app", "web", "--integrations", "github,slack", "--actions", "issues.*", "--tags", "issues", "--out", "t.json"],
      "tools export",
      { format: "openai", app: "web", integrations: "github,slack", actions: "issues.*", tags: "issues", out: "t.json" },
    ],
    [["drift", "check", "github"], "drift check", { integration: "github", headers: [], failOnBreaking: false }],
    [
      ["drift", "check", "todo", "--source", "https://docs.example.com/openapi.json", "--header", "Authorization: Bearer x", "--format", "openapi", "--fail-on-breaking"],
      "drift check",
      { integration: "todo", source: "https://docs.example.com/openapi.json", headers: ["Authorization: Bearer x"], format: "openapi", failOnBreaking: true },
    ],
    [["drift", "schedule", "github", "--every", "24h"], "drift schedule", { integration: "github", every: "24h" }],
    [["drift", "schedule", "github", "--cron", "0 6 * * *"], "drift schedule", { integration: "github", cron: "0 6 * * *" }],
    [["drift", "ls", "--integration", "github"], "drift list", { integration: "github" }],
    [["drift", "severity", "github", "--set", "description-changed=ignore", "--set", "tags-changed=non-breaking"], "drift severity", { integration: "github", set: ["description-changed=ignore", "tags-changed=non-breaking"], clear: false }],
    [["drift", "show", "drr_1"], "drift show", { report: "drr_1" }],
    [["proposals", "list", "--status", "open"], "proposals list", { status: "open" }],
    [["proposals", "show", "prp_1"], "proposals show", { proposal: "prp_1" }],
    [["proposals", "approve", "prp_1"], "proposals approve", { proposal: "prp_1", allowBreaking: false }],
    [["proposals", "approve", "prp_1", "--allow-breaking", "--note", "vendor change"], "proposals approve", { proposal: "prp_1", allowBreaking: true, note: "vendor change" }],
    [["proposals", "reject", "prp_1", "--note", "docs are wrong"], "proposals reject", { proposal: "prp_1", note: "docs are wrong" }],
    [["alerts", "add-webhook", "https://hooks.example.com/x", "--events", "drift.detected"], "alerts add-webhook", { url: "https://hooks.example.com/x", events: "drift.detected" }],
    [["alerts", "ls"], "alerts list", {}],
    [["alerts", "rm", "whk_1"], "alerts remove", { webhook: "whk_1" }],
    [["alerts", "test", "whk_1"], "alerts test", { webhook: "whk_1" }],
    [["versions", "history", "github"], "versions history", { integration: "github" }],
    [["mcp"], "mcp", { compact: "auto" }],
    [["mcp", "--app", "web", "--user", "user_42", "--integrations", "github", "--compact", "on"], "mcp", { app: "web", user: "user_42", integrations: "github", compact: "on" }],
    [["mcp", "--compact-threshold", "10"], "mcp", { compact: "auto", compactThreshold: 10 }],
    [["batch", "run", "crm", "contacts.create", "--items", "c.jsonl"], "batch run", { integration: "crm", action: "contacts.create", items: "c.jsonl", dryRun: false, detach: false }],
    [
      ["batch", "run", "crm", "contacts.create", "--items", "c.csv", "--user-field", "userId", "--concurrency", "8", "--stop-on-error-ratio", "0.25", "--dry-run", "--app", "web"],
      "batch run",
      { items: "c.csv", userField: "userId", concurrency: 8, stopOnErrorRatio: 0.25, dryRun: true, app: "web" },
    ],
    [["batch", "run", "crm", "c.x", "--items", "f", "--format", "csv", "--connection", "con_1", "--detach"], "batch run", { format: "csv", connection: "con_1", detach: true }],
    [["batch", "ls", "--limit", "5"], "batch list", { limit: 5 }],
    [["batch", "show", "bat_1"], "batch show", { id: "bat_1" }],
    [["batch", "watch", "bat_1"], "batch watch", { id: "bat_1" }],
    [["batch", "cancel", "bat_1"], "batch cancel", { id: "bat_1", verb: "cancel" }],
    [["batch", "resume", "bat_1"], "batch resume", { id: "bat_1", verb: "resume" }],
    [["batch", "retry", "bat_1"], "batch retry", { id: "bat_1", verb: "retry" }],
    [["schedules", "ls", "--limit", "5", "--cursor", "c"], "schedules list", { limit: 5, cursor: "c" }],
    [["schedules", "show", "nightly"], "schedules show", { id: "nightly" }],
    [["schedules", "pause", "sch_1"], "schedules pause", { id: "sch_1" }],
    [["schedules", "resume", "sch_1"], "schedules resume", { id: "sch_1" }],
    [["schedules", "delete", "nightly"], "schedules delete", { id: "nightly" }],
    [["batch", "results", "bat_1"], "batch results", { id: "bat_1", failed: false, format: "jsonl" }],
    [["batch", "results", "bat_1", "--failed", "--format", "csv"], "batch results", { id: "bat_1", failed: true, format: "csv" }],
    [["intents", "create", "send_message", "--template", "messages"], "intents create", { name: "send_message", template: "messages", failOnBreaking: false }],
    [["intents", "create", "notify", "--input-schema", "in.json", "--output-schema", "out.json", "--fail-on-breaking"], "intents create", { name: "notify", inputSchema: "in.json", outputSchema: "out.json", failOnBreaking: true }],
    [["intents", "bind", "send_message", "slack", "chat.postMessage", "--mapping", "map.json"], "intents bind", { name: "send_message", integration: "slack", action: "chat.postMessage", mapping: "map.json" }],
    [["intents", "unbind", "send_message", "slack", "--version", "2"], "intents unbind", { name: "send_message", integration: "slack", version: 2 }],
    [["intents", "prefer", "send_message", "slack, teams", "--app", "web"], "intents prefer", { name: "send_message", providers: ["slack", "teams"], app: "web" }],
    [["intents", "test", "send_message", "--input", "{}", "--user", "u1", "--provider", "teams", "--fallback"], "intents test", { name: "send_message", input: "{}", user: "u1", provider: "teams", fallback: true }],
    [["intents", "show", "send_message", "--version", "1"], "intents show", { name: "send_message", version: 1 }],
    [["intents", "diff", "send_message", "1", "2"], "intents diff", { name: "send_message", from: 1, to: 2 }],
    [["intents", "pin", "web", "send_message@1"], "intents pin", { app: "web", name: "send_message", version: 1 }],
    [["intents", "unpin", "web", "send_message"], "intents unpin", { app: "web", name: "send_message" }],
  ])("%j runs %s with %j", async (argv, command, options) => {
    expect(await parse(argv)).toMatchObject({ command, options });
  });

  it.each([
    [["batch", "run", "crm", "a"], "--items"],
    [["batch", "run", "crm", "a", "--items", "f", "--stop-on-error-ratio", "1.5"], "above 0 and at most 1"],
    [["batch", "run", "crm", "a", "--items", "f", "--concurrency", "0"], "positive whole number"],
    [["batch", "results", "bat_1", "--format", "xml"], "jsonl, csv"],
  ])("refuses %j, saying %s", async (argv, message) => {
    const result = await parse(argv);
    expect("error" in result && result.stderr).toContain(message);
  });

  it("accepts global options before and after the command", async () => {
    const before = await parse(["--json", "--api-url", "http://x", "--profile", "staging", "whoami"]);
    const after = await parse(["whoami", "--json", "--api-url", "http://x", "--profile", "staging"]);
    for (const call of [before, after]) {
      expect(call).toMatchObject({ globals: { json: true, apiUrl: "http://x", profile: "staging", debug: false, yes: false, color: true } });
    }
    expect(await parse(["-y", "--no-color", "--debug", "--api-key", "k", "logout"])).toMatchObject({
      globals: { yes: true, color: false, debug: true, apiKey: "k", json: false },
    });
  });

  it.each([
    [["frobnicate"], "unknown command 'frobnicate'"],
    [["integrations", "list", "--bogus"], "unknown option '--bogus'"],
    [["integrations", "show"], "missing required argument 'slug'"],
    [["actions", "list", "github", "--version", "0"], "must be a positive whole number"],
    [["actions", "list", "github", "--limit", "x"], "must be a positive whole number"],
    [["server", "start", "--port", "70000"], "must be a port number"],
    [["tools", "export", "--format", "yaml"], "Allowed choices are openai, anthropic, langchain, mcp, jsonschema"],
    [["mcp", "--compact", "maybe"], "Allowed choices are auto, on, off"],
    [["mcp", "--compact-threshold", "0"], "must be a positive whole number"],
    [["proposals", "list", "--status", "pending"], "must be one of open, approving, approved, rejected, superseded"],
    [["proposals", "approve"], "missing required argument 'proposal'"],
  ])("rejects %j with a usage error", async (argv, message) => {
    const result = await parse(argv);
    expect(result).toHaveProperty("error");
    expect((result as { stderr: string }).stderr).toContain(message);
  });
});
