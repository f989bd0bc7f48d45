import { routes, type DriftReport } from "../../../contract/index.js";
import type { Context } from "../../context.js";
import type { IO } from "../../io.js";
import { renderReport } from "./render.js";

export async function run(context: Context, options: { report: string }): Promise<DriftReport> {
  return (await context.client()).call(routes.getDriftReport, { params: { reportId: options.report } });
}

export function render(report: DriftReport, io: IO): void {
  renderReport(report, io);
}
