import { readFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { CliError } from "./errors.js";
import { writeFileAtomic } from "./fs-atomic.js";

const ProfileSchema = z.object({ apiUrl: z.string().optional() });
const ConfigFileSchema = z.object({
  currentProfile: z.string().optional(),
  profiles: z.record(z.string(), ProfileSchema).default({}),
});
export type ConfigFile = z.infer<typeof ConfigFileSchema>;
export type Profile = z.infer<typeof ProfileSchema>;

export const DEFAULT_PROFILE = "default";
export const DEFAULT_API_URL = "http://127.0.0.1:4400";

/** `config.json` in the config dir: named profiles, each remembering its API URL. Never secrets. */
export class ConfigStore {
  readonly file: string;
  private cached: ConfigFile | undefined;

  constructor(dir: string) {
    this.file = path.join(dir, "config.json");
  }

  async read(): Promise<ConfigFile> {
    if (this.cached) return this.cached;
    let text: string;
    try {
      text = await readFile(this.file, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return (this.cached = { profiles: {} });
      throw error;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new CliError(`${this.file} is not valid JSON (${(error as Error).message}); fix or delete it`);
    }
    const parsed = ConfigFileSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new CliError(`${this.file}: ${issue?.path.join(".") || "root"}: ${issue?.message}; fix or delete it`);
    }
    return (this.cached = parsed.data);
  }

  async profile(name: string): Promise<Profile | undefined> {
    return (await this.read()).profiles[name];
  }

  async update(change: (config: ConfigFile) => void): Promise<void> {
    const config = structuredClone(await this.read());
    change(config);
    await writeFileAtomic(this.file, JSON.stringify(config, null, 2) + "\n", 0o600);
    this.cached = config;
  }
}
