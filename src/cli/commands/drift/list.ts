import { routes, type DriftReport } from "../../../contract/index.js";
import type { Context } from "../../context.js";
import type { IO } from "../../io.js";
import { table } from "../../output.js";

export async function run(context: Context, options: { integration?: string }): Promise<{ data: DriftReport[] }> {
  return (await context.client()).call(routes.listDriftReports, { query: { ...(options.integration ? { integration: options.integration } : {}), limit: 50 } });
}

export function render(result: { data: DriftReport[] }, io: IO): void {
  if (result.data.length === 0) {
    io.out("No drift reports.");
    return;
  }
  table(
    io,
    [{ header: "REPORT", keep: true }, { header: "INTEGRATION", keep: true }, { header: "ORIGIN", keep: true }, { header: "SEVERITY", keep: true }, "CHANGES", "PROPOSAL", "CREATED"],
    result.data.map((r) => [r.id, r.integration, r.origin, r.severity, `${r.summary.breaking}/${r.summary.nonBreaking}/${r.summary.informational}`, r.proposal ?? "", r.createdAt.slice(0, 16).replace("T", " ")]),
  );
}
