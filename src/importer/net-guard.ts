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

/** True for any address outside the public internet (IPv4-mapped and NAT64 IPv6 judged by their IPv4 part). */
export function isNonPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return blocked.check(address, "ipv4");
  if (family !== 6) return true;
  const lower = address.toLowerCase();
  const embedded = /^(?:::ffff:(?:0:)?|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (embedded?.[1]) return blocked.check(embedded[1], "ipv4");
  const hexMapped = /^(?:::ffff:(?:0:)?|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (hexMapped?.[1] && hexMapped[2]) {
    const hi = parseInt(hexMapped[1], 16);
    const lo = parseInt(hexMapped[2], 16);
    return blocked.check(`${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`, "ipv4");
  }
  return blocked.check(address, "ipv6");
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
 * A `lookup` for sockets that fails on non-public answers, so a DNS answer that changes
 * between our check and the connection (rebinding) still cannot reach a private address.
 */
export function publicOnlyLookup(
  hostname: string,
  options: LookupOptions,
  callback: (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
): void {
  lookupCallback(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, []);
    const bad = addresses.find((entry) => isNonPublicAddress(entry.address));
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
}
