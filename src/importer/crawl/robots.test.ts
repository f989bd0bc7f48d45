import { describe, expect, it } from "vitest";
import { parseRobots } from "./robots.js";

const allows = (robots: string, path: string, agent?: string) => parseRobots(robots, agent).allows(new URL(path, "https://docs.example.com"));

describe("robots.txt (RFC 9309)", () => {
  it("follows the most specific rule, allow winning a tie, with * and $", () => {
    const robots = "User-agent: *\nDisallow: /docs/\nAllow: /docs/api/\nDisallow: /*.pdf$\nDisallow: /docs/api/internal\n";
    expect(allows(robots, "/docs/guide")).toBe(false);
    expect(allows(robots, "/docs/api/users")).toBe(true);
    expect(allows(robots, "/docs/api/internal/x")).toBe(false);
    // The longer allow (/docs/api/) beats the shorter /*.pdf$.
    expect(allows(robots, "/docs/api/manual.pdf")).toBe(true);
    expect(allows(robots, "/files/manual.pdf")).toBe(false);
    expect(allows(robots, "/files/manual.pdf?x=1")).toBe(true);
    expect(allows("User-agent: *\nDisallow: /a\nAllow: /a\n", "/a")).toBe(true);
  });

  it("uses the group naming our agent over *, combining groups and grouped agents", () => {
    const robots = "User-agent: *\nDisallow: /\n\nUser-agent: googlebot\nUser-agent: waygate-importer\nDisallow: /private/\nCrawl-delay: 2\n\nUser-agent: waygate\nDisallow: /tmp/\n";
    expect(allows(robots, "/docs/")).toBe(true);
    expect(allows(robots, "/private/x")).toBe(false);
    expect(allows(robots, "/tmp/x")).toBe(false);
    expect(allows(robots, "/docs/", "other-bot")).toBe(false);
    expect(parseRobots(robots).crawlDelaySeconds).toBe(2);
  });

  it("reads Sitemap lines anywhere, ignores comments and an empty Disallow", () => {
    const rules = parseRobots("# hello\nSitemap: https://docs.example.com/sitemap-docs.xml\nUser-agent: * # all\nDisallow:\n");
    expect(rules.sitemaps).toEqual(["https://docs.example.com/sitemap-docs.xml"]);
    expect(rules.allows(new URL("https://docs.example.com/anything"))).toBe(true);
  });
});
