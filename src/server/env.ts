import type { ApiKey } from "../contract/index.js";
import type { Store } from "../store/index.js";

/** Who made the request, as established by the auth middleware. */
export interface AuthContext {
  tenantId: string;
  key: ApiKey;
  /** The app an app key belongs to; null for tenant keys. */
  appId: string | null;
}

export interface AppEnv {
  Variables: {
    store: Store;
    auth: AuthContext;
    /** This request's id (`X-Request-Id`): in every response, problem and log line about it. */
    requestId: string;
    /** Set instead of `auth` when the caller presented the operator's tick secret (`POST /v1/jobs/tick` only). */
    operator?: true;
  };
}
