import type { Context } from "../../context.js";
import type { IO } from "../../io.js";
import { table } from "../../output.js";
import type { ServerFlags, SettingSource } from "../../../server/config.js";
import { loadServerConfig } from "./settings.js";
import { defaultDataDir } from "../../paths.js";

export type ConfigOptions = ServerFlags;

export interface ConfigEntry {
  setting: string;
  env: string;
  value: string | number | boolean | null;
  source: SettingSource;
}

/** What `server start` would run with, from the same flags and environment; secrets are never printed. */
export async function run(context: Context, options: ConfigOptions): Promise<ConfigEntry[]> {
  const { SERVER_SETTINGS, displayValue } = await import("../../../server/config.js");
  const { config, sources } = await loadServerConfig(context, options);
  return (Object.keys(SERVER_SETTINGS) as Array<keyof typeof SERVER_SETTINGS>).map((name) => {
    // The data directory's default depends on the platform and HOME: show where it actually is.
    if (name === "dataDir" && sources.dataDir === "unset") return { setting: name, env: SERVER_SETTINGS.dataDir.env, value: defaultDataDir(context.env), source: "default" };
    return { setting: name, env: SERVER_SETTINGS[name].env, value: displayValue(name, config[name]), source: sources[name] };
  });
}

export function render(entries: ConfigEntry[], io: IO): void {
  table(io, ["ENV", "VALUE", "FROM"], entries.map((entry) => [entry.env, entry.value === null ? "-" : String(entry.value), entry.source]));
}
