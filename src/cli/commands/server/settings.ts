import type { Context } from "../../context.js";
import { UsageError } from "../../errors.js";
import type { Logger } from "../../../lib/logger.js";
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

/** The logger `server start` and `server worker` write with: JSON lines, or pretty lines on a terminal. */
export async function serverLogger(context: Context, config: Pick<ServerConfig, "logLevel" | "logFormat">): Promise<Logger> {
  const { createLogger } = await import("../../../server/logging.js");
  return createLogger({
    level: config.logLevel,
    format: config.logFormat ?? (context.io.stdoutIsTTY ? "pretty" : "json"),
    writeLine: (line) => context.io.out(line),
    color: context.io.color,
  });
}
