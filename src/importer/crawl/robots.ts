/**
 * robots.txt (RFC 9309): the group for our user agent (else `*`), its allow and disallow rules
 * with `*` and `$`, the longest match winning and allow winning a tie (§2.2.2). `Crawl-delay`
 * is not in the RFC but widely honoured: it slows our pacing, never speeds it up.
 */
export interface RobotsRules {
  allows(url: URL): boolean;
  /** Seconds between requests the site asks for, when it says. */
  crawlDelaySeconds: number | undefined;
  /** `Sitemap:` lines (absolute URLs). */
  sitemaps: string[];
}

interface Rule {
  allow: boolean;
  pattern: string;
  regex: RegExp;
}

/** The product token we match groups against (the importer's User-Agent is `waygate-importer`). */
export const ROBOTS_AGENT = "waygate-importer";

/** Everything is allowed: no robots.txt (404), as §2.3.1.3 says. */
export const ALLOW_ALL: RobotsRules = { allows: () => true, crawlDelaySeconds: undefined, sitemaps: [] };

/** Robots.txt unreachable for a 5xx (§2.3.1.4): assume complete disallow. */
export const DISALLOW_ALL: RobotsRules = { allows: () => false, crawlDelaySeconds: undefined, sitemaps: [] };

export function parseRobots(text: string, agent = ROBOTS_AGENT): RobotsRules {
  type Group = { agents: string[]; rules: Rule[]; delay: number | undefined };
  const groups: Group[] = [];
  const sitemaps: string[] = [];
  let current: Group | undefined;
  let lastWasAgent = false;
  // §2.5: parsers must handle at least 500 KiB; we read no more than that.
  for (const rawLine of text.slice(0, 512 * 1024).split(/\r?\n|\r/)) {
    const line = rawLine.replace(/#.*$/, "").trim();
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const key = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (key === "user-agent") {
      if (!current || !lastWasAgent) groups.push((current = { agents: [], rules: [], delay: undefined }));
      current.agents.push(value.toLowerCase());
      lastWasAgent = true;
      continue;
    }
    lastWasAgent = false;
    if (key === "sitemap") {
      if (/^https?:\/\//i.test(value)) sitemaps.push(value);
      continue;
    }
    if (!current) continue;
    if (key === "allow" || key === "disallow") {
      // An empty disallow allows everything: no rule.
      if (value === "") continue;
      current.rules.push({ allow: key === "allow", pattern: value, regex: patternRegex(value) });
    } else if (key === "crawl-delay") {
      const seconds = Number(value);
      if (Number.isFinite(seconds) && seconds >= 0) current.delay = seconds;
    }
  }
  const token = agent.toLowerCase();
  const mine = groups.filter((group) => group.agents.some((name) => name !== "*" && token.startsWith(name)));
  const chosen = mine.length > 0 ? mine : groups.filter((group) => group.agents.includes("*"));
  // §2.2.1: several groups for the same agent are combined.
  const rules = chosen.flatMap((group) => group.rules);
  const delay = chosen.map((group) => group.delay).find((value) => value !== undefined);
  return {
    allows(url: URL) {
      const target = url.pathname + url.search;
      let best: Rule | undefined;
      for (const rule of rules) {
        if (!rule.regex.test(target)) continue;
        if (!best || rule.pattern.length > best.pattern.length || (rule.pattern.length === best.pattern.length && rule.allow)) best = rule;
      }
      return best ? best.allow : true;
    },
    crawlDelaySeconds: delay,
    sitemaps,
  };
}

/** `*` any characters, `$` at the end anchors; everything else literal, matched from the path's start. */
function patternRegex(pattern: string): RegExp {
  const anchored = pattern.endsWith("$");
  const body = (anchored ? pattern.slice(0, -1) : pattern)
    .split("*")
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${body}${anchored ? "$" : ""}`);
}
