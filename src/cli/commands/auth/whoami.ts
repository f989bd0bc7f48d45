import { routes, type Me } from "../../../contract/index.js";
import type { Context, Source } from "../../context.js";
import { describeLocation } from "../../credentials.js";
import type { IO } from "../../io.js";
import { details } from "../../output.js";

export interface WhoamiResult extends Me {
  profile: string;
  apiUrl: string;
  /** Where the key came from: a flag, the environment, or the stored credential (and where that lives). */
  keySource: Source;
  credential: string | null;
}

const SOURCE_LABEL: Record<Source, string> = {
  flag: "the --api-key flag",
  env: "the WAYGATE_API_KEY environment variable",
  profile: "the profile",
  credential: "the stored credential",
  default: "the default",
};

export async function run(context: Context): Promise<WhoamiResult> {
  const client = await context.client();
  const target = await context.target();
  const me = await client.call(routes.me);
  return {
    ...me,
    profile: target.profile,
    apiUrl: target.apiUrl,
    keySource: target.apiKeySource ?? "default",
    credential: target.credential ? describeLocation(target.credential) : null,
  };
}

export function render(result: WhoamiResult, io: IO): void {
  details(io, [
    ["API", result.apiUrl],
    ["Tenant", `${result.tenant.name} (${result.tenant.id})`],
    ["App", result.app ? `${result.app.name} (${result.app.id})` : null],
    ["Key", `${result.key.prefix}… (${result.key.kind} key ${result.key.id}, "${result.key.name}")`],
    ["Profile", result.profile],
    ["Key from", result.credential ? `${SOURCE_LABEL[result.keySource]}: ${result.credential}` : SOURCE_LABEL[result.keySource]],
  ]);
}
