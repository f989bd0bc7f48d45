import { lookup } from "node:dns/promises";
import { lookup as lookupCallback } from "node:dns";
import type { LookupAddress, LookupOptions } from "node:dns";
import { BlockList, isIP } from "node:net";

/**
 * Address ranges an importer must not reach on a caller's behalf (SSRF): "this network",
 * private (RFC 1918), shared (RFC 6598), loopback, link-local (cloud metadata lives at
 * 169.254.169.254), IETF protocol assignments, benchmarking, documentation, multicast and
 * reserved (IANA special-purpose registries, RFC 6890); and their IPv6 counterparts.
 */
const blocked = new BlockList();
for (const [net, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.88.99.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const) {
  blocked.addSubnet(net, prefix, "ipv4");
}
for (const [net, prefix] of [
  ["::", 128],
  ["::1", 128],
  ["64:ff9b:1::", 48],
  ["100::", 64],
  ["2001::", 23],
  ["2001:db8::", 32],
  ["fc00::", 7],
  ["fe80::", 10],
  ["fec0::", 10],
  ["ff00::", 8],
] as const) {
  blocked.addSubnet(net, prefix, "ipv6");
}

/**
 * True for any address outside the public internet. An IPv6 address that carries an IPv4
 * address is judged by that IPv4 address, whichever way it is written (`::ffff:127.0.0.1`,
 * `::ffff:7f00:1`, `0:0:0:0:0:ffff:7f00:1`): a private IPv4 reached through IPv6 is still private.
 */
export function isNonPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return blocked.check(address, "ipv4");
  if (family !== 6) return true;
  const bytes = ipv6Bytes(address);
  if (!bytes) return true;
  const embedded = embeddedIPv4(bytes);
  if (embedded) return blocked.check(embedded, "ipv4");
  return blocked.check(address.replace(/%.*$/, ""), "ipv6");
}

/**
 * The IPv4 address an IPv6 address embeds by a standard rule, or null:
 * IPv4-mapped `::ffff:0:0/96` and IPv4-compatible `::/96` (RFC 4291 §2.5.5), IPv4-translated
 * `::ffff:0:0:0/96` (RFC 2765 §2.1), the NAT64 well-known prefix `64:ff9b::/96` (RFC 6052 §2.1),
 * and 6to4 `2002::/16`, whose next 32 bits are the site's IPv4 address (RFC 3056 §2).
 * (`::` and `::1` fall in `::/96` as 0.0.0.0 and 0.0.0.1, which "this network" blocks.)
 */
function embeddedIPv4(b: Uint8Array): string | null {
  const zero = (from: number, to: number) => b.subarray(from, to).every((byte) => byte === 0);
  const quad = (at: number) => `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;
  if (zero(0, 10) && b[10] === 0xff && b[11] === 0xff) return quad(12);
  if (zero(0, 12)) return quad(12);
  if (zero(0, 8) && b[8] === 0xff && b[9] === 0xff && zero(10, 12)) return quad(12);
  if (b[0] === 0x00 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b && zero(4, 12)) return quad(12);
  if (b[0] === 0x20 && b[1] === 0x02) return quad(2);
  return null;
}

/** The 16 bytes of an IPv6 address in any textual form (RFC 4291 §2.2), zone id ignored; null if malformed. */
function ipv6Bytes(address: string): Uint8Array | null {
  let text = address.replace(/%.*$/, "").toLowerCase();
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = text.slice(0, dotted.index) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const groups = (part: string | undefined) => (part ? part.split(":") : []);
  const head = groups(halves[0]);
  const tail = groups(halves[1]);
  const fill = halves.length === 2 ? 8 - head.length - tail.length : 0;
  if (fill < 0 || head.length + fill + tail.length !== 8) return null;
  const words = [...head, ...Array<string>(fill).fill("0"), ...tail];
  const bytes = new Uint8Array(16);
  for (const [index, word] of words.entries()) {
    if (!/^[0-9a-f]{1,4}$/.test(word)) return null;
    const value = parseInt(word, 16);
    bytes[index * 2] = value >> 8;
    bytes[index * 2 + 1] = value & 0xff;
  }
  return bytes;
}

/** URL hostname without IPv6 brackets. */
export function bareHostname(url: URL): string {
  const host = url.hostname;
  return host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
}

/**
 * Resolves the URL's host and returns the first non-public address it maps to, or null
 * when every address is public. Every address counts: a name with one public and one
 * private record could be connected to either.
 */
export async function findNonPublicAddress(url: URL): Promise<string | null> {
  const host = bareHostname(url);
  if (isIP(host)) return isNonPublicAddress(host) ? host : null;
  const addresses = await lookup(host, { all: true, verbatim: true });
  for (const { address } of addresses) if (isNonPublicAddress(address)) return address;
  return null;
}

/**
 * Which addresses outgoing connections may reach: the public internet only; that and this
 * machine's loopback (local development and tests, with upstreams on 127.0.0.1); or any.
 */
export type NetworkReach = "public" | "loopback" | "private";

/** 127.0.0.0/8 and ::1, also written as an IPv6 address carrying a loopback IPv4 one. */
export function isLoopbackAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return address.startsWith("127.");
  if (family !== 6) return false;
  const bytes = ipv6Bytes(address);
  if (!bytes) return false;
  if (bytes.subarray(0, 15).every((byte) => byte === 0) && bytes[15] === 1) return true;
  return embeddedIPv4(bytes)?.startsWith("127.") ?? false;
}

export function mayReach(address: string, reach: NetworkReach): boolean {
  return reach === "private" || !isNonPublicAddress(address) || (reach === "loopback" && isLoopbackAddress(address));
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for sockets that fails on answers outside `reach`, so a DNS answer that
 * changes between our check and the connection (rebinding) still cannot reach a private address.
 */
export function guardedLookup(reach: Exclude<NetworkReach, "private">): (hostname: string, options: LookupOptions, callback: LookupCallback) => void {
  return (hostname, options, callback) => {
    lookupCallback(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      const bad = addresses.find((entry) => !mayReach(entry.address, reach));
      if (bad) {
        const refused: NodeJS.ErrnoException = new Error(`refusing to connect to non-public address ${bad.address} for ${hostname}`);
        refused.code = "EWAYGATE_PRIVATE_ADDRESS";
        return callback(refused, []);
      }
      if (options.all) return callback(null, addresses);
      const first = addresses[0];
      if (!first) return callback(Object.assign(new Error(`no address for ${hostname}`), { code: "ENOTFOUND" }), []);
      callback(null, first.address, first.family);
    });
  };
}

/** The lookup of URL imports and of gateways kept to the public internet. */
export const publicOnlyLookup = guardedLookup("public");
