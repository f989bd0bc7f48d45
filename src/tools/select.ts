import type { ToolDescriptor } from "./descriptor.js";

/**
 * Which tools an export or an MCP server offers. The same rules for the API, the CLI and MCP:
 * integrations by slug; actions by glob (`issues.*`, `*.list*`), matched against the action
 * name or `slug.action`; tags by exact name. Every given filter must match.
 */
export interface ToolSelection {
  integrations?: readonly string[] | undefined;
  actions?: readonly string[] | undefined;
  tags?: readonly string[] | undefined;
  /** Intent tools: beside the actions (default), instead of the actions bound to an intent, or none. */
  intents?: "include" | "replace" | "exclude" | undefined;
}

export function selectTools(tools: readonly ToolDescriptor[], selection: ToolSelection): ToolDescriptor[] {
  const tags = selection.tags && selection.tags.length > 0 ? new Set(selection.tags) : null;
  const actions = selection.actions && selection.actions.length > 0 ? selection.actions : null;
  return tools.filter(
    (tool) =>
      (!tags || tool.tags.some((tag) => tags.has(tag))) &&
      (!actions || actions.some((pattern) => globMatch(pattern, tool.action) || globMatch(pattern, `${tool.integration}.${tool.action}`))),
  );
}

/** `a,b, c,` → ["a", "b", "c"]. */
export function splitList(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const items = value
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");
  return items.length > 0 ? items : undefined;
}

/**
 * `*` matches any run of characters, `?` one character, everything else itself. The classic
 * two-pointer matcher with one backtrack point: O(pattern × text) at worst, no regex, so a
 * hostile pattern cannot blow up.
 */
export function globMatch(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let star = -1;
  let resume = 0;
  while (t < text.length) {
    if (p < pattern.length && (pattern[p] === "?" || pattern[p] === text[t])) {
      p++;
      t++;
    } else if (p < pattern.length && pattern[p] === "*") {
      star = p++;
      resume = t;
    } else if (star !== -1) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern[p] === "*") p++;
  return p === pattern.length;
}
