export { Store, type StoreOptions } from "./store.js";
export { resolveStoreLocation, redactUrl, StoreConfigError, type StoreLocation } from "./database.js";
export { KEY_PREFIXES, type IssuedKey, type AuthenticatedKey } from "./keys.js";
export type { ListOptions, VersionRef, VersionLookup } from "./integrations.js";
export type { SaveVersionResult, AppendRequest, AppendOutcome, CurrentMove, MoveRequest, LatestVersion, VersionConfig } from "./versions.js";
export { newJobId, type ClaimedJob, type ClaimOptions, type HeartbeatAnswer } from "./jobs.js";
export { StoredDataError } from "./decode.js";
export type { ConnectionScope } from "./connections.js";
export { loadSealer, generateKey, KEY_FILE, PREVIOUS_KEYS_FILE } from "./keyring.js";
