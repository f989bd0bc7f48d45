/**
 * RFC 8288 §3 Link header: `<target>; rel="next"; title="…", <target2>; rel=prev`.
 * Commas inside `<…>` and quoted strings do not separate links; `rel` may hold several
 * space-separated relation types (§3.3), compared case-insensitively.
 */
export interface Link {
  target: string;
  rels: string[];
}

export function parseLinkHeader(value: string): Link[] {
  const links: Link[] = [];
  let i = 0;
  while (i < value.length) {
    const open = value.indexOf("<", i);
    if (open === -1) break;
    const close = value.indexOf(">", open);
    if (close === -1) break;
    const target = value.slice(open + 1, close);
    const { params, end } = readParams(value, close + 1);
    const rel = params.get("rel");
    links.push({ target, rels: rel ? rel.toLowerCase().split(/\s+/).filter(Boolean) : [] });
    i = end;
  }
  return links;
}

/** Parameters after a target, up to the comma that ends this link (or the end). */
function readParams(value: string, start: number): { params: Map<string, string>; end: number } {
  const params = new Map<string, string>();
  let i = start;
  while (i < value.length) {
    while (i < value.length && /[\s;]/.test(value[i]!)) i++;
    if (i >= value.length || value[i] === ",") return { params, end: i + 1 };
    const name = /^[^=;,\s]+/.exec(value.slice(i))?.[0] ?? "";
    i += Math.max(1, name.length);
    let paramValue = "";
    while (value[i] === " ") i++;
    if (value[i] === "=") {
      i++;
      while (value[i] === " ") i++;
      if (value[i] === '"') {
        i++;
        while (i < value.length && value[i] !== '"') {
          if (value[i] === "\\") i++;
          paramValue += value[i] ?? "";
          i++;
        }
        i++;
      } else {
        const token = /^[^;,\s]*/.exec(value.slice(i))?.[0] ?? "";
        paramValue = token;
        i += token.length;
      }
    }
    // §3: occurrences after the first of the same parameter are ignored.
    if (name && !params.has(name.toLowerCase())) params.set(name.toLowerCase(), paramValue);
  }
  return { params, end: i };
}

/** The `rel="next"` target resolved against the response URL (§3.1 relative references), or null. */
export function nextLink(header: string | undefined, responseUrl: URL): URL | null {
  if (!header) return null;
  const link = parseLinkHeader(header).find((candidate) => candidate.rels.includes("next"));
  if (!link) return null;
  try {
    return new URL(link.target, responseUrl);
  } catch {
    return null;
  }
}
