import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isolatedEnv, runCli } from "../support/cli.js";
import { startTestServer, type TestServer } from "../support/server.js";

describe("waygate tools export (the built CLI against the real server)", () => {
  let server: TestServer;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    server = await startTestServer();
    const response = await fetch(`${server.url}/v1/integrations`, {
      method: "POST",
      headers: { authorization: `Bearer ${server.tenantKey}`, "content-type": "application/json" },
      body: JSON.stringify({
        slug: "crm",
        name: "CRM",
        baseUrl: "https://crm.example.com",
        actions: [
          { name: "contacts.list", method: "GET", path: "/contacts", tags: ["contacts"] },
          { name: "contacts.create", method: "POST", path: "/contacts", tags: ["contacts"] },
          { name: "me", method: "GET", path: "/me" },
        ],
      }),
    });
    expect(response.status).toBe(201);
    env = isolatedEnv({ WAYGATE_API_URL: server.url, WAYGATE_API_KEY: server.tenantKey });
  });

  afterAll(async () => {
    await server?.close();
  });

  it("prints the array to pass as OpenAI's tools, selected by action glob", async () => {
    const result = await runCli(["tools", "export", "--format", "openai", "--actions", "contacts.*"], { env });
    expect(result.code, result.stderr).toBe(0);
    const tools = JSON.parse(result.stdout) as Array<{ type: string; function: { name: string } }>;
    expect(tools.map((tool) => tool.function.name)).toEqual(["crm__contacts_create", "crm__contacts_list"]);
    expect(tools.every((tool) => tool.type === "function")).toBe(true);
  });

  it("writes an MCP tools/list result to --out and says so on stderr", async () => {
    const out = path.join(mkdtempSync(path.join(tmpdir(), "waygate-tools-")), "tools.json");
    const result = await runCli(["tools", "export", "--format", "mcp", "--integrations", "crm", "--tags", "contacts", "--out", out], { env });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain(`Wrote 2 mcp tools to ${out}`);
    const written = JSON.parse(readFileSync(out, "utf8")) as { tools: Array<{ name: string; annotations: { readOnlyHint: boolean } }> };
    expect(written.tools.map((tool) => [tool.name, tool.annotations.readOnlyHint])).toEqual([
      ["crm__contacts_create", false],
      ["crm__contacts_list", true],
    ]);
  });

  it("exits 3 naming an integration that does not exist, and 2 for an unknown format", async () => {
    const missing = await runCli(["tools", "export", "--integrations", "nope"], { env });
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain('"nope"');
    const format = await runCli(["tools", "export", "--format", "yaml"], { env });
    expect(format.code).toBe(2);
    expect(format.stderr).toContain("yaml");
  });
});
