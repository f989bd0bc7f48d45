import { routes, type ConnectionTest } from "../../../contract/index.js";
import type { Context } from "../../context.js";
import { CliError } from "../../errors.js";
import type { IO } from "../../io.js";
import { hintApp, type ConnectionRef } from "./show.js";

export async function run(context: Context, options: ConnectionRef): Promise<ConnectionTest> {
  const client = await context.client();
  const result = await hintApp(options, client.call(routes.testConnection, { params: { connectionId: options.id }, query: { app: options.app } }));
  if (!result.ok) {
    if (context.globals.json) context.io.out(JSON.stringify(result, null, 2));
    throw new CliError(`connection ${options.id} failed its test: ${result.detail}`);
  }
  return result;
}

export function render(result: ConnectionTest, io: IO): void {
  io.out(`OK: ${result.detail}.`);
}
