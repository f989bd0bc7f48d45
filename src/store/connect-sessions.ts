import { createHash } from "node:crypto";
import type { Kysely } from "kysely";
import type { ConnectErrorCode, ConnectSession } from "../contract/index.js";
import type { Sealer } from "../lib/sealer.js";
import { decodeStringList } from "./decode.js";
import { newId } from "./ids.js";
import type { ConnectSessionTable, Database } from "./schema.js";

/** SHA-256 (hex) of a session token or OAuth state: what the table keeps instead of the value. */
export function digest(value: string): string {
  return createHash("sha256").update(value).digest("hex");
}

/** A session as the connect page and callback read it. */
export interface ConnectSessionRecord {
  id: string;
  tenantId: string;
  appId: string;
  appName: string;
  externalUserId: string;
  displayName: string | null;
  email: string | null;
  integrations: string[];
  scopes: string[] | null;
  successUrl: string | null;
  errorUrl: string | null;
  status: ConnectSessionTable["status"];
  integration: string | null;
  connectionId: string | null;
  errorCode: ConnectErrorCode | null;
  redirectUri: string | null;
  expiresAt: Date;
  createdAt: string;
}

/** What creating a session takes: who and what it is for, and the token (stored hashed). */
export type NewConnectSession = Pick<
  ConnectSessionRecord,
  "tenantId" | "appId" | "externalUserId" | "displayName" | "email" | "integrations" | "scopes" | "successUrl" | "errorUrl" | "expiresAt"
> & { token: string };

/**
 * Connect sessions: the token in the link and the OAuth `state` are kept as SHA-256
 * hashes (both carry 256 random bits, so a fast hash is enough, as for API keys); the PKCE
 * verifier is sealed, bound to the session id. Every step is a conditional update on the
 * session's status, so a session completes at most once however often a callback is replayed.
 */
export class ConnectSessionRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly sealer: () => Promise<Sealer>,
    private readonly now: () => Date,
  ) {}

  async create(input: NewConnectSession): Promise<ConnectSessionRecord> {
    const id = newId("cs");
    await this.db
      .insertInto("connect_sessions")
      .values({
        id,
        tenant_id: input.tenantId,
        app_id: input.appId,
        token_hash: digest(input.token),
        external_user_id: input.externalUserId,
        display_name: input.displayName,
        email: input.email,
        integrations: JSON.stringify(input.integrations),
        scopes: input.scopes === null ? null : JSON.stringify(input.scopes),
        success_url: input.successUrl,
        error_url: input.errorUrl,
        status: "pending",
        error_code: null,
        connection_id: null,
        integration: null,
        state_hash: null,
        pkce_verifier: null,
        redirect_uri: null,
        expires_at: input.expiresAt.toISOString(),
        created_at: this.now().toISOString(),
        completed_at: null,
      })
      .execute();
    return (await this.byId(input.tenantId, id))!;
  }

  /** Within a tenant (and an app, for app keys): what the API shows. */
  async get(tenantId: string, appId: string | null, id: string): Promise<ConnectSession | undefined> {
    const record = await this.byId(tenantId, id);
    if (!record || (appId !== null && record.appId !== appId)) return undefined;
    return toConnectSession(record, this.now());
  }

  async byId(tenantId: string, id: string): Promise<ConnectSessionRecord | undefined> {
    const row = await this.query().where("s.tenant_id", "=", tenantId).where("s.id", "=", id).executeTakeFirst();
    return row && toRecord(row);
  }

  /** The session a browser presents (its cookie holds the token). */
  async byToken(token: string): Promise<ConnectSessionRecord | undefined> {
    const row = await this.query().where("s.token_hash", "=", digest(token)).executeTakeFirst();
    return row && toRecord(row);
  }

  /**
   * Records the start of an authorization (a new one replaces an unfinished earlier try):
   * only while the session is pending or authorizing and not expired. False otherwise.
   */
  async startAuthorization(id: string, input: { integration: string; state: string; verifier: string; redirectUri: string }): Promise<boolean> {
    const now = this.now().toISOString();
    const result = await this.db
      .updateTable("connect_sessions")
      .set({
        status: "authorizing",
        integration: input.integration,
        state_hash: digest(input.state),
        pkce_verifier: (await this.sealer()).seal(input.verifier, id),
        redirect_uri: input.redirectUri,
      })
      .where("id", "=", id)
      .where("status", "in", ["pending", "authorizing"])
      .where("expires_at", ">", now)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /**
   * Takes the authorization a callback's `state` names, once: the state is cleared in the
   * same conditional update that finds it, so a replayed callback finds nothing. Resolves
   * the session with its opened PKCE verifier, or undefined.
   */
  async claimState(state: string): Promise<{ session: ConnectSessionRecord; verifier: string } | undefined> {
    const row = await this.query().where("s.state_hash", "=", digest(state)).where("s.status", "=", "authorizing").executeTakeFirst();
    if (!row || row.pkce_verifier === null) return undefined;
    const claimed = await this.db
      .updateTable("connect_sessions")
      .set({ state_hash: null, pkce_verifier: null })
      .where("id", "=", row.id)
      .where("state_hash", "=", digest(state))
      .where("status", "=", "authorizing")
      .executeTakeFirst();
    if (Number(claimed.numUpdatedRows) !== 1) return undefined;
    return { session: toRecord(row), verifier: (await this.sealer()).open(row.pkce_verifier, row.id) };
  }

  /** Ends the session as connected or failed; only a session not already finished. False when another request finished it first. */
  async finish(id: string, outcome: { status: "connected"; connectionId: string; integration: string } | { status: "failed"; error: ConnectErrorCode; integration: string | null }): Promise<boolean> {
    const result = await this.db
      .updateTable("connect_sessions")
      .set({
        status: outcome.status,
        ...(outcome.status === "connected" ? { connection_id: outcome.connectionId, error_code: null } : { error_code: outcome.error }),
        ...(outcome.integration ? { integration: outcome.integration } : {}),
        state_hash: null,
        pkce_verifier: null,
        completed_at: this.now().toISOString(),
      })
      .where("id", "=", id)
      .where("status", "in", ["pending", "authorizing"])
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Deletes sessions that expired more than `olderThanMs` ago; returns how many. */
  async prune(olderThanMs: number): Promise<number> {
    const cutoff = new Date(this.now().getTime() - olderThanMs).toISOString();
    const result = await this.db.deleteFrom("connect_sessions").where("expires_at", "<", cutoff).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async redirectUrls(appId: string): Promise<string[]> {
    const rows = await this.db.selectFrom("connect_redirect_urls").select("url").where("app_id", "=", appId).orderBy("url").execute();
    return rows.map((row) => row.url);
  }

  /** Replaces the app's redirect allow-list in one transaction. */
  async setRedirectUrls(appId: string, urls: string[]): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom("connect_redirect_urls").where("app_id", "=", appId).execute();
      const unique = [...new Set(urls)];
      if (unique.length > 0) await trx.insertInto("connect_redirect_urls").values(unique.map((url) => ({ app_id: appId, url }))).execute();
    });
  }

  private query() {
    return this.db.selectFrom("connect_sessions as s").innerJoin("apps as a", "a.id", "s.app_id").selectAll("s").select("a.name as app_name");
  }
}

function toRecord(row: ConnectSessionTable & { app_name: string }): ConnectSessionRecord {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    appId: row.app_id,
    appName: row.app_name,
    externalUserId: row.external_user_id,
    displayName: row.display_name,
    email: row.email,
    integrations: decodeStringList(row.integrations),
    scopes: row.scopes === null ? null : decodeStringList(row.scopes),
    successUrl: row.success_url,
    errorUrl: row.error_url,
    status: row.status,
    integration: row.integration,
    connectionId: row.connection_id,
    errorCode: row.error_code as ConnectErrorCode | null,
    redirectUri: row.redirect_uri,
    expiresAt: new Date(row.expires_at),
    createdAt: row.created_at,
  };
}

function toConnectSession(record: ConnectSessionRecord, now: Date): ConnectSession {
  const unfinished = record.status === "pending" || record.status === "authorizing";
  return {
    id: record.id,
    app: { id: record.appId, name: record.appName },
    externalUserId: record.externalUserId,
    integrations: record.integrations,
    status: unfinished && record.expiresAt <= now ? "expired" : record.status,
    connectionId: record.connectionId,
    error: record.errorCode,
    expiresAt: record.expiresAt.toISOString(),
    createdAt: record.createdAt,
  };
}
