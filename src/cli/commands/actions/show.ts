import { routes, type Action } from "../../../contract/index.js";
import type { Context } from "../../context.js";
import { style, type IO } from "../../io.js";
import { details, table } from "../../output.js";

export interface ShowOptions {
  integration: string;
  action: string;
  version?: number;
}

export async function run(context: Context, options: ShowOptions): Promise<Action> {
  const client = await context.client();
  return client.call(routes.getAction, {
    params: { slug: options.integration, action: options.action },
    query: { version: options.version },
  });
}

interface PropertySchema {
  type?: unknown;
  description?: unknown;
  "x-waygate-in"?: unknown;
  $ref?: unknown;
}

export function render(action: Action, io: IO): void {
  io.out(style(io, "bold", `${action.integration}.${action.name}`) + (action.deprecated ? style(io, "yellow", " (deprecated)") : ""));
  details(io, [
    ["Request", `${action.method} ${action.path}`],
    ["Version", action.version],
    ["Summary", action.summary],
    ["Pagination", action.pagination?.strategy ?? null],
  ]);
  if (action.description) io.out("\n" + action.description);

  const properties = (action.inputSchema.properties ?? {}) as Record<string, PropertySchema>;
  const required = new Set(Array.isArray(action.inputSchema.required) ? (action.inputSchema.required as string[]) : []);
  const names = Object.keys(properties);
  io.out("");
  if (names.length === 0) io.out("Input: none");
  else {
    io.out("Input:");
    table(
      io,
      [{ header: "NAME", keep: true }, { header: "IN", keep: true }, "TYPE", { header: "REQUIRED", keep: true }, "DESCRIPTION"],
      names.map((name) => {
        const property = properties[name] ?? {};
        return [name, String(property["x-waygate-in"] ?? "body"), typeLabel(property), required.has(name) ? "yes" : "no", firstLine(property.description)];
      }),
    );
  }
  io.out("");
  io.out(`Output: ${action.outputSchema ? typeLabel(action.outputSchema as PropertySchema) : "none declared"}`);
}

function typeLabel(schema: PropertySchema): string {
  if (Array.isArray(schema.type)) return schema.type.join(" | ");
  if (typeof schema.type === "string") return schema.type;
  if (typeof schema.$ref === "string") return schema.$ref.replace(/^.*\//, "");
  return "any";
}

function firstLine(value: unknown): string | undefined {
  return typeof value === "string" ? value.split("\n")[0] : undefined;
}
