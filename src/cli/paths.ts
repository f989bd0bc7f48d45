import { homedir } from "node:os";
import path from "node:path";

/** Where the CLI keeps profiles and (without a keychain) credentials. */
export function configDir(env: NodeJS.ProcessEnv): string {
  if (env.WAYGATE_CONFIG_DIR) return path.resolve(env.WAYGATE_CONFIG_DIR);
  if (process.platform === "win32" && env.APPDATA) return path.join(env.APPDATA, "waygate");
  if (process.platform === "darwin") return path.join(homedir(), "Library", "Preferences", "waygate");
  return path.join(env.XDG_CONFIG_HOME || path.join(homedir(), ".config"), "waygate");
}

/** Where a local server keeps its embedded database. */
export function defaultDataDir(env: NodeJS.ProcessEnv): string {
  if (env.WAYGATE_DATA_DIR) return path.resolve(env.WAYGATE_DATA_DIR);
  if (process.platform === "win32" && env.LOCALAPPDATA) return path.join(env.LOCALAPPDATA, "waygate");
  if (process.platform === "darwin") return path.join(homedir(), "Library", "Application Support", "waygate");
  return path.join(env.XDG_DATA_HOME || path.join(homedir(), ".local", "share"), "waygate");
}
