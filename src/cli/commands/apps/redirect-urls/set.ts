import { routes } from "../../../../contract/index.js";
import type { Context } from "../../../context.js";
import type { IO } from "../../../io.js";

export async function run(context: Context, options: { app: string; urls: string[] }): Promise<{ urls: string[] }> {
  return (await context.client()).call(routes.setConnectRedirectUrls, { params: { app: options.app }, body: { urls: options.urls } });
}

export function render(result: { urls: string[] }, io: IO): void {
  if (result.urls.length === 0) io.out("The allow-list is empty: connect sessions of this app end on Waygate's own page.");
  else for (const url of result.urls) io.out(url);
}
