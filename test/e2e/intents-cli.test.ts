import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isolatedEnv, runCli } from "../support/cli.js";
import { SEND_MESSAGE_MAPPINGS, slackIntegration, startSlackLike, type MessagingUpstream } from "../support/messaging-upstreams.js";
import { startTestServer, type TestServer } from "../support/server.js";

/** `waygate intents …`: the built CLI against the real server, with a Slack-like upstream. */
describe("waygate intents (built CLI)", () => {
  let server: TestServer;
  let slack: MessagingUpstream;
  let env: NodeJS.ProcessEnv;
  let dir: string;

  beforeAll(async () => {
    slack = await startSlackLike();
    server = await startTestServer();
    env = isolatedEnv({ WAYGATE_API_URL: server.url, WAYGATE_API_KEY: server.tenantKey });
    dir = mkdtempSync(path.join(tmpdir(), "waygate-intents-"));
    const post = (url: string, body: unknown) => fetch(`${server.url}${url}`, { method: "POST", headers: { authorization: `Bearer ${server.tenantKey}`, "content-type": "application/json" }, body: JSON.stringify(body) });
    expect((await post("/v1/integrations", slackIntegration(slack.url))).status).toBe(201);
    expect((await post("/v1/connections", { integration: "slack", externalUserId: "ann", credentials: { type: "bearer", token: "t" } })).status).toBe(201);
  }, 30_000);
  afterAll(async () => {
    await server?.close();
    await slack?.close();
  });

  it("creates from a template, refuses a binding that cannot fill a required field (exit 2, field named), binds, and runs", async () => {
    const created = await runCli(["intents", "create", "send_message", "--template", "messages"], { env });
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toContain("Created send_message version 1.");

    const broken = path.join(dir, "broken.json");
    writeFileSync(broken, JSON.stringify({ input: [{ op: "move", from: "/text", to: "/text" }], output: [{ op: "move", from: "/ts", to: "/id" }] }));
    const refused = await runCli(["intents", "bind", "send_message", "slack", "chat.postMessage", "--mapping", broken], { env });
    expect(refused.code).toBe(2); // a 400 validation problem is a usage error for the CLI
    expect(refused.stderr).toContain("requires /channel");

    const mapping = path.join(dir, "slack.json");
    writeFileSync(mapping, JSON.stringify(SEND_MESSAGE_MAPPINGS.slack));
    const bound = await runCli(["intents", "bind", "send_message", "slack", "chat.postMessage", "--mapping", mapping], { env });
    expect(bound.code, bound.stderr).toBe(0);
    expect(bound.stdout).toContain("Bound slack chat.postMessage to send_message version 1.");

    const listed = await runCli(["intents", "list", "--json"], { env });
    expect(JSON.parse(listed.stdout)).toMatchObject({ data: [{ name: "send_message", bindings: [{ integration: "slack" }] }] });

    const ran = await runCli(["intents", "test", "send_message", "--input", '{"to":"C1","text":"hi"}', "--user", "ann", "--json"], { env });
    expect(ran.code, ran.stderr).toBe(0);
    expect(JSON.parse(ran.stdout)).toMatchObject({ provider: "slack", output: { id: "1700000000.000100" } });
    expect(slack.received.at(-1)?.body).toEqual({ channel: "C1", text: "hi" });

    await fetch(`${server.url}/v1/apps`, { method: "POST", headers: { authorization: `Bearer ${server.tenantKey}`, "content-type": "application/json" }, body: JSON.stringify({ name: "web" }) });
    const pinned = await runCli(["intents", "pin", "web", "send_message@1"], { env });
    expect(pinned.stdout, pinned.stderr).toContain("Pinned web to send_message@1.");
    const missing = await runCli(["intents", "pin", "web", "send_message@7"], { env });
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain("version 7 of intent \"send_message\" not found");
  }, 60_000);
});
