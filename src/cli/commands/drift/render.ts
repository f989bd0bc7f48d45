import type { DriftReport } from "../../../contract/index.js";
import { style, type IO } from "../../io.js";

const MARK = { breaking: "!", "non-breaking": "~", informational: "i" } as const;

/** A drift report for people: one line per change (breaking first), then who is hit. */
export function renderReport(report: DriftReport, io: IO): void {
  const { breaking, nonBreaking, informational } = report.summary;
  io.out(`Drift report ${report.id} for ${report.integration} (${report.origin}, against version ${report.baseVersion ?? "none"}): ${breaking} breaking, ${nonBreaking} non-breaking, ${informational} informational`);
  const order = { breaking: 0, "non-breaking": 1, informational: 2 } as const;
  for (const change of [...report.changes].sort((a, b) => order[a.severity] - order[b.severity])) {
    const colour = change.severity === "breaking" ? "red" : change.severity === "non-breaking" ? "yellow" : "dim";
    io.out(style(io, colour, `  ${MARK[change.severity]} ${change.action ?? "integration"}: ${change.message} [${change.fingerprint}]`));
  }
  const { apps, tenantRecentlyCalled, recentDays } = report.impact;
  if (apps.length === 0) io.out("No app runs the changed actions.");
  for (const app of apps) {
    const follows = app.follows === "current" ? `follows current (v${app.version})` : `pinned to v${app.version}`;
    const called = app.recentlyCalled.length > 0 ? `; called in the last ${recentDays} days: ${app.recentlyCalled.join(", ")}` : "";
    io.out(`  app ${app.app.name} (${follows}) runs ${app.actions.length > 0 ? app.actions.join(", ") : "every action (an integration-wide change)"}${called}`);
  }
  if (tenantRecentlyCalled.length > 0) io.out(`  tenant keys called in the last ${recentDays} days: ${tenantRecentlyCalled.join(", ")}`);
}
