import type { Context } from "../../context.js";
import type { IO } from "../../io.js";

export interface LogoutResult {
  profile: string;
  removed: boolean;
}

export async function run(context: Context): Promise<LogoutResult> {
  const { profile } = await context.target();
  return { profile, removed: await context.credentials.delete(profile) };
}

export function render(result: LogoutResult, io: IO): void {
  io.out(result.removed ? `Logged out: removed the key of profile "${result.profile}".` : `Profile "${result.profile}" had no stored key.`);
}
