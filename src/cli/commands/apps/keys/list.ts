import { routes, type ApiKey } from "../../../../contract/index.js";
import type { Context } from "../../../context.js";
import { render as renderKeys } from "../../keys/list.js";

export async function run(context: Context, options: { app: string }): Promise<{ data: ApiKey[] }> {
  return (await context.client()).call(routes.listAppKeys, { params: { app: options.app } });
}

export const render = renderKeys;
