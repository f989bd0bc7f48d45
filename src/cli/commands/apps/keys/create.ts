import { routes, type CreatedKey } from "../../../../contract/index.js";
import type { Context } from "../../../context.js";
import { render as renderKey } from "../../keys/create.js";

export async function run(context: Context, options: { app: string; name: string }): Promise<CreatedKey> {
  return (await context.client()).call(routes.createAppKey, { params: { app: options.app }, body: { name: options.name } });
}

export const render = renderKey;
