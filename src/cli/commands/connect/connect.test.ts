import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../../../../test/support/server.js";
import { CookieBrowser, hiddenField, saveIntegration } from "../../../../test/support/connect.js";
import { createContext, type GlobalOptions } from "../../context.js";
import { createBufferIO, type BufferIO } from "../../io.js";
import { render, run } from "./connect.js";

/** `waygate connect` against the real server, the end user typing an API key on the hosted page: stdout and stderr with and without a terminal. */
describe("waygate connect: output", () => {
  let server: TestServer;
  const globals: GlobalOptions = { json: false, debug: false, color: false, yes: false, apiUrl: undefined, apiKey: undefined, profile: undefined };

  beforeAll(async () => {
    server = await startTestServer();
    await saveIntegration(server.store, server.tenantId, {
      slug: "keyed",
      name: "Keyed",
      baseUrl: "https://keyed.example.com",
      authSchemes: [{ type: "apiKey", name: "x-api-key", in: "header" }],
      actions: [],
    });
    if ((await server.store.apps.create(server.tenantId, "web")) === "name-taken") throw new Error("unexpected");
  });
  afterAll(async () => server?.close());

  /** Runs the command while an end user opens the link it printed and submits a key. */
  const connectWhileUserTypesKey = async (tty: boolean, user: string): Promise<{ io: BufferIO; connectionId: string | null }> => {
    const io = createBufferIO({ tty });
    const context = createContext({ io, env: { WAYGATE_CONFIG_DIR: mkdtempSync(path.join(tmpdir(), "waygate-cfg-")), WAYGATE_API_URL: server.url, WAYGATE_API_KEY: server.tenantKey }, globals });
    const running = run(context, { integration: "keyed", user, app: "web", wait: true });
    let link: string | undefined;
    for (let i = 0; i < 100 && !link; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      link = /^(http\S+)$/m.exec(io.stdout())?.[1];
    }
    const browser = new CookieBrowser();
    const html = await (await browser.follow(link!)).response.text();
    await browser.request(`${server.url}/connect/credentials`, { form: { csrf: hiddenField(html, "csrf"), integration: "keyed", key: "k-123" } });
    const result = await running;
    render(result, io);
    await context.close();
    return { io, connectionId: result.session.connectionId };
  };

  it("without a terminal: the link on stdout, one plain waiting line on stderr, the connection at the end", async () => {
    const { io, connectionId } = await connectWhileUserTypesKey(false, "plain-user");
    expect(connectionId).toMatch(/^con_/);
    const out = io.stdout().trim().split("\n");
    expect(out[0]).toMatch(new RegExp(`^${server.url}/connect\\?token=wgcs_`));
    expect(out[1]).toBe(`Connected: ${connectionId} (web, user plain-user).`);
    expect(io.stderr()).toMatch(/^Waiting for plain-user to connect keyed \(the link works until .+ UTC\)…\n$/);
  });

  it("on a terminal: a spinner on stderr that ends in a success line; stdout is the same", async () => {
    const { io, connectionId } = await connectWhileUserTypesKey(true, "tty-user");
    expect(io.stdout()).toContain(`Connected: ${connectionId} (web, user tty-user).`);
    expect(io.stderr()).toContain("Waiting for tty-user to connect keyed");
    expect(io.stderr()).toContain("tty-user connected keyed");
  });
});
