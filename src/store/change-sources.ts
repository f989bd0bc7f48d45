import type { DatabaseSync } from "node:sqlite";
import type pg from "pg";
import type { ExternalChanges } from "./changes.js";

/** The channel migration 006's triggers notify, with the table's schema as payload. */
export const CHANGE_CHANNEL = "waygate_changes";

/**
 * SQLite: `PRAGMA data_version` changes whenever another connection (another process:
 * the CLI's operator commands, a second server on the same file) commits. Reading it is
 * a prepared statement, but not free (a few microseconds: it checks the WAL index).
 */
export function sqliteChanges(db: DatabaseSync): ExternalChanges {
  const statement = db.prepare("PRAGMA data_version");
  const read = () => Number((statement.get() as { data_version: number | bigint }).data_version);
  let seen = read();
  let open = true;
  return {
    get live() {
      return open;
    },
    poll() {
      const now = read();
      if (now === seen) return false;
      seen = now;
      return true;
    },
    start() {},
    close: async () => {
      open = false;
    },
  };
}

const RETRY_MS = { first: 500, max: 30_000 };

/**
 * Postgres: a dedicated connection LISTENs on the channel the triggers notify (a
 * notification arrives after the writing transaction commits). While that connection is
 * down, `live` is false and caches read through; it reconnects with backoff, and every
 * (re)connect counts as a change, since notifications may have been missed meanwhile.
 */
export class PostgresChanges implements ExternalChanges {
  live = false;
  private client: pg.Client | undefined;
  private closed = false;
  private retryMs = RETRY_MS.first;
  private timer: NodeJS.Timeout | undefined;
  private onChange: () => void = () => {};

  constructor(private readonly connect: () => pg.Client) {}

  poll(): boolean {
    return false;
  }

  start(onChange: () => void): void {
    this.onChange = onChange;
    void this.listen();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.live = false;
    clearTimeout(this.timer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => {});
  }

  private async listen(): Promise<void> {
    if (this.closed) return;
    const client = this.connect();
    this.client = client;
    let schema: string | undefined;
    client.on("notification", (message) => {
      if (message.channel === CHANGE_CHANNEL && message.payload === schema) this.onChange();
    });
    client.on("error", () => this.lost(client));
    client.on("end", () => this.lost(client));
    try {
      await client.connect();
      schema = ((await client.query("SELECT current_schema() AS schema")).rows[0] as { schema: string }).schema;
      await client.query(`LISTEN ${CHANGE_CHANNEL}`);
    } catch {
      this.lost(client);
      return;
    }
    if (this.client !== client) return;
    this.retryMs = RETRY_MS.first;
    this.onChange();
    this.live = true;
  }

  private lost(client: pg.Client): void {
    if (this.client !== client) return;
    this.client = undefined;
    this.live = false;
    this.onChange();
    void client.end().catch(() => {});
    if (this.closed) return;
    this.timer = setTimeout(() => void this.listen(), this.retryMs);
    this.timer.unref();
    this.retryMs = Math.min(RETRY_MS.max, this.retryMs * 2);
  }
}
