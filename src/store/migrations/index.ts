import type { Migration, MigrationProvider } from "kysely/migration";
import * as initial from "./001_initial.js";
import * as jobs from "./002_jobs.js";
import * as versionsAppsPins from "./003_versions_apps_pins.js";
import * as connections from "./004_connections.js";
import * as refreshLeases from "./005_refresh_leases.js";
import * as changeNotifications from "./006_change_notifications.js";
import * as jobDocuments from "./007_job_documents.js";
import * as versionRequests from "./008_version_requests.js";
import * as batches from "./009_batches.js";
import * as drift from "./011_drift.js";
import * as connect from "./012_connect.js";
import * as intents from "./013_intents.js";
import * as llmPageCache from "./014_llm_page_cache.js";
import * as schedules from "./015_schedules.js";
import * as actionSchemas from "./016_action_schemas.js";

/**
 * Migrations are imported statically rather than read from a folder, so they survive
 * bundling and run the same from `dist/` and from source. Append; never edit a shipped one.
 */
export const migrationProvider: MigrationProvider = {
  getMigrations: async (): Promise<Record<string, Migration>> => ({
    "001_initial": initial,
    "002_jobs": jobs,
    "003_versions_apps_pins": versionsAppsPins,
    "004_connections": connections,
    "005_refresh_leases": refreshLeases,
    "006_change_notifications": changeNotifications,
    "007_job_documents": jobDocuments,
    "008_version_requests": versionRequests,
    "009_batches": batches,
    "011_drift": drift,
    "012_connect": connect,
    "013_intents": intents,
    "014_llm_page_cache": llmPageCache,
    "015_schedules": schedules,
    "016_action_schemas": actionSchemas,
  }),
};
