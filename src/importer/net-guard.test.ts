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

  describe.each([
    ["IPv4-mapped, dotted", (v4: string) => `::ffff:${v4}`],
    ["IPv4-mapped, hex (as URL parsing writes it)", (v4: string) => `::ffff:${hex(v4)}`],
    ["IPv4-mapped, fully expanded", (v4: string) => `0:0:0:0:0:ffff:${hex(v4)}`],
    ["IPv4-mapped, upper case", (v4: string) => `::FFFF:${hex(v4).toUpperCase()}`],
    ["IPv4-translated (SIIT)", (v4: string) => `::ffff:0:${hex(v4)}`],
    ["IPv4-compatible, dotted", (v4: string) => `::${v4}`],
    ["IPv4-compatible, hex", (v4: string) => `::${hex(v4)}`],
    ["IPv4-compatible, fully expanded", (v4: string) => `0000:0000:0000:0000:0000:0000:${hex(v4, 4)}`],
    ["NAT64 well-known prefix, dotted", (v4: string) => `64:ff9b::${v4}`],
    ["NAT64 well-known prefix, hex", (v4: string) => `64:ff9b::${hex(v4)}`],
    ["NAT64 well-known prefix, expanded", (v4: string) => `64:ff9b:0:0:0:0:${hex(v4)}`],
    ["6to4", (v4: string) => `2002:${hex(v4)}::1`],
    ["6to4 with a subnet and interface id", (v4: string) => `2002:${hex(v4)}:5:aaaa:bbbb:cccc:dddd`],
    ["6to4 with a zone id", (v4: string) => `2002:${hex(v4)}::1%eth0`],
  ])("an IPv6 address embedding IPv4 (%s)", (_encoding, embed) => {
    it.each(["127.0.0.1", "10.0.0.1", "192.168.1.1", "169.254.169.254", "172.16.5.4", "100.64.0.1", "0.0.0.0"])("is non-public when it embeds %s", (v4) => {
      expect(isNonPublicAddress(embed(v4))).toBe(true);
    });
    it("is public when it embeds a public address (8.8.8.8)", () => expect(isNonPublicAddress(embed("8.8.8.8"))).toBe(false));
  });

  it.each([
    ["64:ff9b:1::808:808", "the local-use NAT64 prefix, whatever it embeds"],
    ["2001:0:4136:e378:8000:63bf:3fff:fdd2", "Teredo"],
    ["fe80::1%eth0", "link-local with a zone id"],
  ])("keeps %s non-public (%s)", (address) => expect(isNonPublicAddress(address)).toBe(true));

  it("judges the 6to4 relay's own address by its IPv4 range (192.88.99.1 → ::ffff:c058:6301)", () => {
    expect(isNonPublicAddress("::ffff:c058:6301")).toBe(true);
  });
});

/** An IPv4 address as the two hex words an IPv6 address carries it in. */
function hex(v4: string, pad = 1): string {
  const [a, b, c, d] = v4.split(".").map(Number) as [number, number, number, number];
  return `${((a << 8) | b).toString(16).padStart(pad, "0")}:${((c << 8) | d).toString(16).padStart(pad, "0")}`;
}

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
