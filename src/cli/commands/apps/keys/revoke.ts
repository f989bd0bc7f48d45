import { routes, type ApiKey } from "../../../../contract/index.js";
import type { Context } from "../../../context.js";
import { render as renderRevoked } from "../../keys/revoke.js";
import { confirmDestructive } from "../../confirm.js";

export async function run(context: Context, options: { app: string; keyId: string }): Promise<ApiKey> {
  await confirmDestructive(context, `Revoke key ${options.keyId} of app ${options.app}? Anything using it will be refused at once.`);
  return (await context.client()).call(routes.revokeAppKey, { params: { app: options.app, keyId: options.keyId } });
}

export const render = renderRevoked;
