import { createHash } from "node:crypto";

/**
 * Tool names every major client accepts: OpenAI function names match `^[a-zA-Z0-9_-]{1,64}$`,
 * Anthropic tool names `^[a-zA-Z0-9_-]{1,64}$`, and MCP clients (Claude Desktop, Cursor) refuse
 * dots and names over 64 characters. A name is `<slug>__<action>` with the action's dots as
 * underscores, e.g. `github__issues_create`.
 *
 * Why it is collision-free: integration slugs never contain `_` and action names are
 * dot-separated identifiers, so when an action has no `_` or `$` the name maps back to it
 * exactly (the first `__` ends the slug; every later `_` was a dot) and it has exactly one `__`.
 * Every other name (an action with `_` or `$`, or a name over 64 characters) is lossy: it
 * ends with `__` and a hash of the exact slug and action, so it has two `__` and can never
 * equal a lossless one. Names depend only on the slug and the action name: stable across
 * runs, versions and the other actions around them.
 */

export const MAX_TOOL_NAME_LENGTH = 64;
export const TOOL_NAME_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/;
const SEPARATOR = "__";
const HASH_LENGTH = 10;

export interface ToolRef {
  integration: string;
  action: string;
}

export function toolName(integration: string, action: string): string {
  const plain = `${integration}${SEPARATOR}${action.replace(/\./g, "_")}`;
  const lossless = !/[_$]/.test(action) && !integration.includes("_");
  if (lossless && plain.length <= MAX_TOOL_NAME_LENGTH) return plain;
  const hash = createHash("sha256").update(`${integration}\u0000${action}`).digest("hex").slice(0, HASH_LENGTH);
  const readable = plain.replace(/[^a-zA-Z0-9_-]/g, "_").slice(0, MAX_TOOL_NAME_LENGTH - SEPARATOR.length - HASH_LENGTH).replace(/_+$/, "");
  return `${readable}${SEPARATOR}${hash}`;
}

/** The integration slug a name starts with (names never truncate into the slug for slugs up to 40 characters). */
export function slugOfToolName(name: string): string | null {
  const at = name.indexOf(SEPARATOR);
  return at > 0 ? name.slice(0, at) : null;
}

/**
 * Names of a set of tools and the reverse map. Two refs reaching the same name would need a
 * hash collision on 40 bits between lossy names; it is checked anyway and reported, never
 * resolved silently to the wrong action.
 */
export class ToolNames {
  private readonly byName = new Map<string, ToolRef>();

  add(ref: ToolRef): string {
    const name = toolName(ref.integration, ref.action);
    const existing = this.byName.get(name);
    if (existing && (existing.integration !== ref.integration || existing.action !== ref.action)) {
      throw new Error(`tool name ${name} would name both ${existing.integration}.${existing.action} and ${ref.integration}.${ref.action}`);
    }
    this.byName.set(name, ref);
    return name;
  }

  resolve(name: string): ToolRef | undefined {
    return this.byName.get(name);
  }

  get size(): number {
    return this.byName.size;
  }
}
