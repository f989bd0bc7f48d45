import { MockAgent } from "undici";
import { describe, expect, it } from "vitest";
import { importDocument } from "./index.js";
import { isNonPublicAddress, publicOnlyLookup } from "./net-guard.js";

describe("isNonPublicAddress", () => {
  it.each([
    ["127.0.0.1", true],
    ["10.1.2.3", true],
    ["172.16.0.1", true],
    ["172.32.0.1", false],
    ["192.168.1.1", true],
    ["169.254.169.254", true],
    ["100.64.0.1", true],
    ["0.0.0.0", true],
    ["224.0.0.1", true],
    ["8.8.8.8", false],
    ["::1", true],
    ["::", true],
    ["fe80::1", true],
    ["fd00::1", true],
    ["::ffff:127.0.0.1", true],
    ["::ffff:7f00:1", true],
    ["::ffff:8.8.8.8", false],
    ["64:ff9b::10.0.0.1", true],
    ["2606:4700:4700::1111", false],
    ["not an ip", true],
  ])("%s → %s", (address, expected) => expect(isNonPublicAddress(address)).toBe(expected));
});

describe("publicOnlyLookup", () => {
  it("fails a socket lookup that answers with a loopback address (DNS rebinding)", async () => {
    const error = await new Promise<NodeJS.ErrnoException | null>((resolve) => publicOnlyLookup("localhost", {}, (err) => resolve(err)));
    expect(error?.code).toBe("EWAYGATE_PRIVATE_ADDRESS");
  });
});

describe("redirects", () => {
  it("re-checks the target of every redirect hop", async () => {
    const agent = new MockAgent();
    agent.disableNetConnect();
    // A public IP literal needs no DNS; the mock answers with a redirect into the loopback range.
    agent.get("http://93.184.215.14").intercept({ path: "/openapi.json" }).reply(302, "", { headers: { location: "http://127.0.0.1:8080/admin/openapi.json" } });
    const outcome = await importDocument({ kind: "url", url: "http://93.184.215.14/openapi.json" }, { dispatcher: agent });
    expect(outcome).toMatchObject({ kind: "failed", error: { code: "private_network", message: expect.stringContaining("redirect target") } });
    await agent.close();
  });
});
