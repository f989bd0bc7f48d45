import type { Pin } from "../../../contract/index.js";

/** One integration on which waygate.json and the server's pins for an app disagree. null: not there. */
export interface PinDifference {
  integration: string;
  /** The version in waygate.json. */
  project: number | null;
  /** The version the server pins the app to. */
  server: number | null;
}

/**
 * Where waygate.json's integrations and the app's pins on the server differ, sorted by
 * slug. `project` scope compares waygate.json's entries only (what the generated code was
 * typed for); `all` also lists pins the server has and waygate.json does not.
 */
export function pinDifferences(project: Readonly<Record<string, number>>, server: readonly Pin[], scope: "project" | "all"): PinDifference[] {
  const pinned = new Map(server.map((pin) => [pin.integration, pin.version]));
  const slugs = new Set([...Object.keys(project), ...(scope === "all" ? pinned.keys() : [])]);
  const differences: PinDifference[] = [];
  for (const integration of [...slugs].sort()) {
    const inProject = Object.hasOwn(project, integration) ? project[integration]! : null;
    const onServer = pinned.get(integration) ?? null;
    if (inProject !== onServer) differences.push({ integration, project: inProject, server: onServer });
  }
  return differences;
}

/** `github (waygate.json 1, server 2)`, `slack (waygate.json 1, not pinned on the server)`. */
export function differenceInWords(difference: PinDifference): string {
  const project = difference.project === null ? "not in waygate.json" : `waygate.json ${difference.project}`;
  const server = difference.server === null ? "not pinned on the server" : `server ${difference.server}`;
  return `${difference.integration} (${project}, ${server})`;
}
