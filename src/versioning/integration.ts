import type { VersionChange } from "../contract/versioning.js";
import { change } from "./change.js";
import { isRecord, jsonKey, printable, showValue } from "./json.js";
import { rules } from "./severity.js";

/** Integration-level fields the diff reads; see DiffableAction for why it is loose. */
export interface DiffableIntegrationFields {
  name?: string | undefined;
  description?: string | null | undefined;
  baseUrl?: string | undefined;
  authSchemes?: readonly unknown[] | undefined;
}

export function diffIntegrationFields(from: DiffableIntegrationFields, to: DiffableIntegrationFields): VersionChange[] {
  const out: VersionChange[] = [];
  if (typeof from.name === "string" && typeof to.name === "string" && from.name !== to.name) {
    out.push(change("name-changed", rules.documentation, "/name", `name changed from ${showValue(from.name)} to ${showValue(to.name)}`, { before: from.name, after: to.name }));
  }
  if ((from.description ?? "") !== (to.description ?? "")) {
    out.push(change("description-changed", rules.documentation, "/description", "description changed"));
  }
  // A trailing slash is how the docs were written, not where requests go.
  const baseUrl = { before: trimSlash(from.baseUrl), after: trimSlash(to.baseUrl) };
  if (baseUrl.before !== baseUrl.after) {
    out.push(change("base-url-changed", rules.baseUrl, "/baseUrl", `base URL changed from ${showValue(baseUrl.before)} to ${showValue(baseUrl.after)}`, { before: from.baseUrl, after: to.baseUrl }));
  }
  out.push(...diffAuthSchemes(asList(from.authSchemes), asList(to.authSchemes)));
  return out;
}

function trimSlash(url: unknown): string | undefined {
  return typeof url === "string" ? url.replace(/\/+$/, "") : undefined;
}

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/**
 * Schemes are paired by type (the n-th apiKey scheme with the n-th apiKey scheme), so
 * reordering is not a change and an apiKey → bearer switch reads as removed + added.
 */
function diffAuthSchemes(from: unknown[], to: unknown[]): VersionChange[] {
  const out: VersionChange[] = [];
  const fromKeys = keyed(from);
  const toKeys = keyed(to);
  for (const [key, { index, scheme }] of fromKeys) {
    const counterpart = toKeys.get(key);
    const type = typeOf(scheme);
    if (!counterpart) {
      out.push(change("auth-scheme-removed", rules.authRemoved, `/authSchemes/${index}`, `${type} auth scheme was removed`, { before: scheme }));
    } else if (jsonKey(scheme) !== jsonKey(counterpart.scheme)) {
      out.push(change("auth-scheme-changed", rules.authChanged, `/authSchemes/${counterpart.index}`, `${type} auth scheme changed`, { before: scheme, after: counterpart.scheme }));
    }
  }
  for (const [key, { index, scheme }] of toKeys) {
    if (fromKeys.has(key)) continue;
    const message = from.length === 0 ? `${typeOf(scheme)} auth scheme was added: calls now need credentials` : `${typeOf(scheme)} auth scheme was added`;
    out.push(change("auth-scheme-added", rules.authAdded(from.length > 0), `/authSchemes/${index}`, message, { after: scheme }));
  }
  return out;
}

function keyed(schemes: unknown[]): Map<string, { index: number; scheme: unknown }> {
  const counts = new Map<string, number>();
  const result = new Map<string, { index: number; scheme: unknown }>();
  schemes.forEach((scheme, index) => {
    const type = typeOf(scheme);
    const n = counts.get(type) ?? 0;
    counts.set(type, n + 1);
    result.set(`${type}#${n}`, { index, scheme });
  });
  return result;
}

function typeOf(scheme: unknown): string {
  return isRecord(scheme) && typeof scheme.type === "string" ? printable(scheme.type) : "unknown";
}
