import { AlertRepository } from "./alerts.js";
import { AppRepository } from "./apps.js";
import { BatchRepository } from "./batches.js";
import type { ChangeTracker } from "./changes.js";
import { ConnectionRepository } from "./connections.js";
import { ConnectSessionRepository } from "./connect-sessions.js";
import { OAuthClientRepository } from "./oauth-clients.js";
import type { Sealer } from "../lib/sealer.js";
import { IntegrationRepository } from "./integrations.js";
import { IntentRepository } from "./intents.js";
import { sql } from "kysely";
import { openDatabase, type DatabaseHandle, type Dialect, type Migrations, type OpenOptions, type StoreLocation } from "./database.js";
import { DriftRepository } from "./drift.js";
import { JobRepository } from "./jobs.js";
import { LlmPageCache } from "./llm-cache.js";
import { KeyRepository } from "./keys.js";
import { ScheduleRepository } from "./schedules.js";
import { TenantRepository } from "./tenants.js";
import { VersionRepository } from "./versions.js";

export interface StoreOptions extends OpenOptions {
  /** Injected clock, for tests. */
  now?: () => Date;
  /** The key ring for secrets at rest, loaded on first use. Without one, connections cannot be used. */
  sealer?: () => Promise<Sealer>;
}

/** The Waygate database: one repository per aggregate over one Kysely instance. */
export class Store {
  readonly tenants: TenantRepository;
  readonly keys: KeyRepository;
  readonly integrations: IntegrationRepository;
  readonly versions: VersionRepository;
  readonly apps: AppRepository;
  readonly jobs: JobRepository;
  readonly batches: BatchRepository;
  readonly schedules: ScheduleRepository;
  readonly intents: IntentRepository;
  readonly llmPageCache: LlmPageCache;
  readonly connections: ConnectionRepository;
  readonly oauthClients: OAuthClientRepository;
  readonly connectSessions: ConnectSessionRepository;
  readonly drift: DriftRepository;
  readonly alerts: AlertRepository;
  /** The key ring for secrets at rest (loaded on first use). */
  readonly sealer: () => Promise<Sealer>;
  readonly dialect: Dialect;
  /** Moves on whenever cached reads may be stale; see ReadCache. */
  readonly changes: ChangeTracker;
  readonly migrations: Migrations;
  /** The store's clock (injected in tests): services that compare against stored times use it too. */
  readonly now: () => Date;

  private constructor(
    private readonly handle: DatabaseHandle,
    now: () => Date,
    sealer: () => Promise<Sealer>,
  ) {
    this.now = now;
    this.dialect = handle.dialect;
    this.changes = handle.changes;
    this.migrations = handle.migrations;
    this.tenants = new TenantRepository(handle.db, now);
    this.keys = new KeyRepository(handle.db, handle.dialect, handle.changes, now);
    this.integrations = new IntegrationRepository(handle.db, now);
    this.versions = new VersionRepository(handle.db, handle.dialect, this.integrations, now);
    this.apps = new AppRepository(handle.db, handle.changes, now);
    this.jobs = new JobRepository(handle.db, handle.dialect, now);
    this.batches = new BatchRepository(handle.db, handle.dialect, now);
    this.schedules = new ScheduleRepository(handle.db, this.jobs, now);
    this.intents = new IntentRepository(handle.db, handle.changes, now);
    this.llmPageCache = new LlmPageCache(handle.db, now);
    let loaded: Promise<Sealer> | undefined;
    const ring = (options?: { reload: boolean }) => {
      if (options?.reload) loaded = undefined;
      return (loaded ??= sealer());
    };
    this.connections = new ConnectionRepository(handle.db, handle.dialect, handle.changes, ring, now);
    this.sealer = () => ring();
    this.oauthClients = new OAuthClientRepository(handle.db, this.sealer, now);
    this.connectSessions = new ConnectSessionRepository(handle.db, this.sealer, now);
    this.drift = new DriftRepository(handle.db, handle.dialect, now);
    this.alerts = new AlertRepository(handle.db, this.sealer, now);
  }

  static async open(location: StoreLocation, options: StoreOptions = {}): Promise<Store> {
    const handle = await openDatabase(location, options.migrate === undefined ? {} : { migrate: options.migrate });
    return new Store(handle, options.now ?? (() => new Date()), options.sealer ?? noKeyRing);
  }

  /** A round trip to the database, for readiness checks. */
  async ping(): Promise<void> {
    await sql`select 1`.execute(this.handle.db);
  }

  async close(): Promise<void> {
    await this.handle.changes.close();
    await this.handle.db.destroy();
  }
}

async function noKeyRing(): Promise<Sealer> {
  throw new Error("this store was opened without an encryption key ring; connections are unavailable");
}
