import { contentHash } from "../../src/lib/canonical-json.js";
import { IntegrationDefinitionSchema } from "../../src/contract/index.js";
import type { Store } from "../../src/store/index.js";

/** Saves an integration definition as its first (current) version. */
export async function saveIntegration(store: Store, tenantId: string, definition: unknown): Promise<void> {
  const parsed = IntegrationDefinitionSchema.parse(definition);
  await store.versions.save(tenantId, parsed, { contentHash: contentHash(parsed), createdBy: "test" });
}

/**
 * What a browser does that matters here, without one: cookies per origin (host-only, no
 * expiry handling) and redirects seen one at a time, so a test can look at each hop.
 */
export class CookieBrowser {
  private readonly jars = new Map<string, Map<string, string>>();
  /** Every URL this browser requested, in order. */
  readonly visited: string[] = [];

  async request(url: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<Response> {
    const target = new URL(url);
    this.visited.push(target.href);
    const jar = this.jars.get(target.origin) ?? new Map<string, string>();
    const headers: Record<string, string> = {};
    if (jar.size > 0) headers.cookie = [...jar].map(([name, value]) => `${name}=${value}`).join("; ");
    if (init.form) headers["content-type"] = "application/x-www-form-urlencoded";
    const response = await fetch(target, { method: init.method ?? (init.form ? "POST" : "GET"), headers, redirect: "manual", ...(init.form ? { body: new URLSearchParams(init.form).toString() } : {}) });
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(";");
      const [name, ...rest] = pair!.split("=");
      const value = rest.join("=");
      if (attributes.some((a) => /^\s*max-age=0\s*$/i.test(a)) || value === "") jar.delete(name!.trim());
      else jar.set(name!.trim(), value);
    }
    this.jars.set(target.origin, jar);
    return response;
  }

  /** Follows redirects from `url` until an answer that is not one, or until the next hop would leave for `stopAt`'s origin. */
  async follow(url: string, init: { method?: string; form?: Record<string, string> } = {}, stopAt?: string): Promise<{ response: Response; url: string }> {
    let response = await this.request(url, init);
    let current = url;
    for (let hops = 0; hops < 10 && response.status >= 300 && response.status < 400; hops++) {
      const next = new URL(response.headers.get("location")!, current).href;
      if (stopAt && next.startsWith(stopAt)) return { response, url: next };
      current = next;
      response = await this.request(current);
    }
    return { response, url: current };
  }

  cookies(origin: string): Map<string, string> {
    return this.jars.get(origin) ?? new Map();
  }
}

/** A hidden input's value in a server-rendered form. */
export function hiddenField(html: string, name: string): string {
  const match = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  if (!match) throw new Error(`no hidden field "${name}" in the page`);
  return match[1]!;
}
