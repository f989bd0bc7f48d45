import type { Context } from "../../context.js";
import { UsageError } from "../../errors.js";
import type { ServerConfig, ServerFlags, SettingName, SettingSource } from "../../../server/config.js";

/** The server's settings from flags and `context.env`; a wrong value is a usage error (exit 2) naming it. */
export async function loadServerConfig(context: Context, flags: ServerFlags): Promise<{ config: ServerConfig; sources: Record<SettingName, SettingSource> }> {
  const { resolveServerConfig, ConfigError } = await import("../../../server/config.js");
  try {
    return resolveServerConfig(context.env, flags);
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message);
    throw error;
  }
}
