import type { JobProgress, JobType, Problem } from "../contract/index.js";
import type { ClaimedJob, Store } from "../store/index.js";

export type HandlerOutcome =
  | { kind: "succeeded"; result: unknown }
  /** An expected failure. `retryable` failures run again (with backoff) until attempts run out. */
  | { kind: "failed"; error: Problem; retryable?: boolean }
  /** The work is not done: the job goes back to the queue and runs again at once (a long batch works in slices, each shorter than the job timeout). */
  | { kind: "continue" };

export interface JobRun {
  job: ClaimedJob;
  store: Store;
  /** Aborted when the job is cancelled, times out, loses its lease or the worker stops. */
  signal: AbortSignal;
  /** Records progress; written with the next heartbeat, so calling it often is cheap. */
  progress(progress: JobProgress): void;
}

export type JobHandler = (run: JobRun) => Promise<HandlerOutcome>;
export type JobHandlers = Record<JobType, JobHandler>;
