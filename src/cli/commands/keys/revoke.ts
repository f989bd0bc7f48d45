import { routes, type ApiKey } from "../../../contract/index.js";
import type { Context } from "../../context.js";
import type { IO } from "../../io.js";
import { confirmDestructive } from "../confirm.js";

export async function run(context: Context, options: { keyId: string }): Promise<ApiKey> {
  await confirmDestructive(context, `Revoke key ${options.keyId}? Anything using it will be refused at once.`);
  return (await context.client()).call(routes.revokeKey, { params: { keyId: options.keyId } });
}

export function render(key: ApiKey, io: IO): void {
  io.out(`Revoked ${key.id} ("${key.name}", ${key.prefix}…).`);
}
