import { routes } from "../../../../contract/index.js";
import type { Context } from "../../../context.js";

export async function run(context: Context, options: { app: string }): Promise<{ urls: string[] }> {
  return (await context.client()).call(routes.getConnectRedirectUrls, { params: { app: options.app } });
}

export { render } from "./set.js";
