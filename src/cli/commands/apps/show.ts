import { routes, type App } from "../../../contract/index.js";
import type { Context } from "../../context.js";
import { renderApp } from "./render.js";

export async function run(context: Context, options: { app: string }): Promise<App> {
  return (await context.client()).call(routes.getApp, { params: { app: options.app } });
}

export const render = renderApp;
