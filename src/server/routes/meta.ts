import type { Hono } from "hono";
import { routes, type Readiness } from "../../contract/index.js";
import { buildOpenApiDocument } from "../../contract/openapi.js";
import { silentLogger, type Logger } from "../../lib/logger.js";
import type { Store } from "../../store/index.js";
import type { AppEnv } from "../env.js";
import { mount } from "../mount.js";

/** A database that takes longer than this to answer (each of `select 1` and the migration status) is not ready. */
const DATABASE_TIMEOUT_MS = 5_000;

export function mountMetaRoutes(app: Hono<AppEnv>, options: { version: string; store: Store; logger?: Logger | undefined }): void {
  const { version } = options;
  const logger = options.logger ?? silentLogger;
  let document: Record<string, unknown> | undefined;
  mount(app, routes.health, async () => ({ status: "ok" as const, version }));
  mount(app, routes.ready, async (c) => {
    const readiness = await checkReadiness(options.store, version, (error) => logger.warn({ requestId: c.get("requestId"), err: error }, "not ready: the database did not answer"));
    return readiness.status === "ready" ? readiness : c.json(readiness, 503);
  });
  // Built on first request, not at start-up: most servers never serve it.
  mount(app, routes.openapi, async () => (document ??= buildOpenApiDocument(version)));
}

/** Ready: the database answers in time and has applied every migration this code knows. */
export async function checkReadiness(store: Store, version: string, onDatabaseError: (error: unknown) => void): Promise<Readiness> {
  const started = performance.now();
  try {
    await withTimeout(store.ping(), DATABASE_TIMEOUT_MS);
    const latencyMs = Math.round((performance.now() - started) * 10) / 10;
    const { pending } = await withTimeout(store.migrations.status(), DATABASE_TIMEOUT_MS);
    return {
      status: pending.length === 0 ? "ready" : "not-ready",
      version,
      checks: { database: { status: "ok", latencyMs }, migrations: { status: pending.length === 0 ? "ok" : "pending", pending } },
    };
  } catch (error) {
    onDatabaseError(error);
    return { status: "not-ready", version, checks: { database: { status: "unreachable" }, migrations: { status: "unknown", pending: [] } } };
  }
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
