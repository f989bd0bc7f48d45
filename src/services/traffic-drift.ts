import type { DriftChange } from "../contract/index.js";
import { shapeMismatches, type ShapeMismatch } from "../gateway/shape-drift.js";
import { remember } from "../lib/bounded-map.js";
import type { Store } from "../store/index.js";
import { UsageStamps } from "../store/usage.js";
import { withFingerprint } from "../versioning/drift.js";
import type { DriftService } from "./drift.js";

export interface TrafficDriftOptions {
  /** Compare one response in this many per action (1: every response). Default 10. */
  sampleEvery?: number;
  /** Mismatches are gathered this long, then recorded as one report per integration. Default 60 s. */
  windowMs?: number;
  /** Distinct mismatches held between flushes, over all integrations; more are dropped until the next flush. Default 1,000. */
  maxPending?: number;
}

/** One successful invoke, as the gateway answered it. */
export interface ObservedCall {
  tenantId: string;
  appId: string | null;
  integrationId: string;
  action: string;
  validation: "off" | "warn" | "strict";
  outputSchema: Record<string, unknown> | undefined;
  status: number;
  /** The body as the upstream sent it (parsed JSON), before any field mapping. */
  body: unknown;
}

/** Distinct (integration, action) sample counters kept; the oldest is forgotten first. */
const COUNTERS = 10_000;

/**
 * Drift from traffic: in `warn` validation mode, a sample of responses is compared with the
 * action's output schema by shape (fields that appear, required fields that disappear,
 * values of another JSON type). Mismatches are gathered for a window and recorded as one
 * drift report per integration, through the same fingerprints as scraped drift, so a
 * mismatch already reported (or suppressed) is not reported again. Only paths and JSON type
 * names are kept, never a value from a response.
 *
 * It also stamps which actions each app calls (at most once a minute per app × action), for
 * the "recently called" part of every report's impact.
 */
export class TrafficDriftMonitor {
  private readonly sampleEvery: number;
  private readonly windowMs: number;
  private readonly maxPending: number;
  private readonly counters = new Map<string, number>();
  private readonly pending = new Map<string, { tenantId: string; integrationId: string; changes: Map<string, DriftChange> }>();
  private pendingCount = 0;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private readonly stamps = new UsageStamps();

  constructor(
    private readonly store: Store,
    private readonly drift: DriftService,
    options: TrafficDriftOptions = {},
    private readonly onError: (error: unknown) => void = () => {},
  ) {
    this.sampleEvery = Math.max(1, options.sampleEvery ?? 10);
    this.windowMs = options.windowMs ?? 60_000;
    this.maxPending = options.maxPending ?? 1_000;
  }

  /** Called after every successful invoke; cheap unless the call is sampled. */
  observe(call: ObservedCall): void {
    const appKey = call.appId ?? "";
    if (this.stamps.due(`${call.integrationId}\u0000${appKey}\u0000${call.action}`, Date.now())) {
      this.store.drift.stampCall(call.integrationId, call.appId, call.action).catch(this.onError);
    }
    if (call.validation !== "warn" || !call.outputSchema || call.status < 200 || call.status >= 300 || call.body === null || typeof call.body !== "object") return;
    const counterKey = `${call.integrationId}\u0000${call.action}`;
    const seen = this.counters.get(counterKey) ?? 0;
    remember(this.counters, counterKey, seen + 1, COUNTERS);
    if (seen % this.sampleEvery !== 0) return;
    const mismatches = shapeMismatches(call.outputSchema, call.body);
    if (mismatches.length === 0) return;
    const groupKey = `${call.tenantId}\u0000${call.integrationId}`;
    const group = this.pending.get(groupKey) ?? { tenantId: call.tenantId, integrationId: call.integrationId, changes: new Map<string, DriftChange>() };
    this.pending.set(groupKey, group);
    for (const mismatch of mismatches) {
      if (this.pendingCount >= this.maxPending) break;
      const change = trafficChange(call.action, mismatch);
      if (group.changes.has(change.fingerprint)) continue;
      group.changes.set(change.fingerprint, change);
      this.pendingCount++;
    }
    this.timer ??= setTimeout(() => void this.flush(), this.windowMs).unref();
  }

  /** Records what was gathered (the window's end, or closing). */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const groups = [...this.pending.values()];
    this.pending.clear();
    this.pendingCount = 0;
    this.flushing = this.flushing.then(async () => {
      for (const group of groups) {
        await this.drift.recordTraffic(group.tenantId, group.integrationId, [...group.changes.values()]).catch(this.onError);
      }
    });
    return this.flushing;
  }

  async close(): Promise<void> {
    await this.flush();
  }
}

function trafficChange(action: string, mismatch: ShapeMismatch): DriftChange {
  const pointer = `/output${mismatch.pointer === "/" ? "" : mismatch.pointer}`;
  const where = `output${mismatch.pointer === "/" ? "" : mismatch.pointer.replace(/\//g, ".").replace(/\.\*/g, "[]")}`;
  switch (mismatch.kind) {
    case "response-field-added":
      return withFingerprint({ severity: "non-breaking", action, kind: mismatch.kind, pointer, message: `responses have ${where} (${mismatch.seen}), which the output schema does not declare`, after: mismatch.seen });
    case "response-field-missing":
      return withFingerprint({ severity: "breaking", action, kind: mismatch.kind, pointer, message: `responses lack ${where}, which the output schema requires`, before: mismatch.declared ?? null });
    case "response-type-changed":
      return withFingerprint({ severity: "breaking", action, kind: mismatch.kind, pointer, message: `responses have ${where} as ${mismatch.seen}, not ${mismatch.declared?.join(" or ")} as the output schema says`, before: mismatch.declared ?? null, after: mismatch.seen });
  }
}
