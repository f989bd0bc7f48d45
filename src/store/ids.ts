import { randomBytes } from "node:crypto";

/**
 * Prefixed random ids (`ten_…`, `app_…`) so an id says what it points at in logs and
 * URLs. 16 random bytes: unguessable, so knowing one id reveals nothing about others.
 */
export function newId(prefix: "ten" | "key" | "app" | "int" | "ver" | "evt" | "job" | "con" | "bat" | "sch" | "cs" | "drc" | "drr" | "prp" | "whk" | "dlv" | "msg"): string {
  return `${prefix}_${randomBytes(16).toString("base64url")}`;
}
