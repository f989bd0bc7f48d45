import type { PlannedFile } from "./files.js";
import { parseHeader, type SlugVersion } from "./header.js";

/** One integration of the client: the version on disk (null: not there yet) and the one generate would write (null: dropped). */
export interface IntegrationChange {
  slug: string;
  from: number | null;
  to: number | null;
  /** Its files that would change. */
  files: string[];
}

export interface ClientChanges {
  /** Per integration, from index.ts's header; null when the files on disk do not say (no index.ts, or a header from before per-integration headers). */
  integrations: IntegrationChange[] | null;
  /** The generator version that wrote the files on disk, when it is not this one. */
  generator: { from: string; to: string } | null;
  /** Changed files that no integration and no generator change accounts for. */
  files: Array<Pick<PlannedFile, "path" | "status">>;
  /** In words: "github 1 → 2; slack unchanged; stripe added; todo removed". */
  summary: string;
}

export interface DescribeInput {
  plan: readonly PlannedFile[];
  /** First lines of the files on disk, by path. */
  existingHeaders: ReadonlyMap<string, string>;
  /** What generate would write, by path. */
  generated: ReadonlyMap<string, string>;
  /** The integrations generate would write, at their versions. */
  wanted: readonly SlugVersion[];
  generatorVersion: string;
}

const INDEX = "index.ts";

/**
 * Says how the client on disk differs from what generate would write, by integration:
 * index.ts's header lists the integrations it was generated for, and each integration
 * file's header names its integration. Falls back to a list of files when the client on
 * disk predates those headers.
 */
export function describeChanges(input: DescribeInput): ClientChanges {
  const changed = input.plan.filter((file) => file.status !== "unchanged");
  const onDisk = input.existingHeaders.has(INDEX) ? parseHeader(input.existingHeaders.get(INDEX)!) : undefined;
  if (onDisk?.kind !== "index") {
    const nothingYet = input.existingHeaders.size === 0;
    return {
      integrations: null,
      generator: null,
      files: changed.map(({ path, status }) => ({ path, status })),
      summary: nothingYet ? `nothing has been generated there yet (${changed.length} files to create)` : filesInWords(changed),
    };
  }

  const owner = (path: string): string | undefined => {
    for (const text of [input.generated.get(path), input.existingHeaders.get(path)]) {
      const header = text === undefined ? undefined : parseHeader(text);
      if (header?.kind === "integration") return header.slug;
    }
    return undefined;
  };
  const before = new Map(onDisk.integrations.map((item) => [item.slug, item.version]));
  const after = new Map(input.wanted.map((item) => [item.slug, item.version]));
  const slugs = [...new Set([...before.keys(), ...after.keys()])].sort();
  const filesOf = new Map<string, string[]>();
  const unowned: PlannedFile[] = [];
  for (const file of changed) {
    const slug = owner(file.path);
    if (slug !== undefined && (before.has(slug) || after.has(slug))) filesOf.set(slug, [...(filesOf.get(slug) ?? []), file.path]);
    else unowned.push(file);
  }
  const integrations = slugs.map((slug) => ({ slug, from: before.get(slug) ?? null, to: after.get(slug) ?? null, files: filesOf.get(slug) ?? [] }));
  const generator = onDisk.generatorVersion === input.generatorVersion ? null : { from: onDisk.generatorVersion, to: input.generatorVersion };
  const listChanged = integrations.some((item) => item.from !== item.to);
  // index.ts lists the integrations and every header names the generator: those changes explain it; runtime files change with the generator.
  const files = unowned.filter((file) => {
    if (file.path === INDEX) return !listChanged && generator === null;
    const header = parseHeader(input.generated.get(file.path) ?? input.existingHeaders.get(file.path) ?? "");
    return !(header?.kind === "runtime" && generator !== null);
  });

  const words = integrations.map((item) => {
    if (item.from === null) return `${item.slug} added`;
    if (item.to === null) return `${item.slug} removed`;
    if (item.from !== item.to) return `${item.slug} ${item.from} → ${item.to}`;
    if (item.files.length === 0 || generator !== null) return `${item.slug} unchanged`;
    return `${item.slug} ${item.to} unchanged but its files differ (${item.files.join(", ")})`;
  });
  if (generator) words.push(`generator ${generator.from} → ${generator.to}`);
  if (files.length > 0) words.push(filesInWords(files));
  return { integrations, generator, files: files.map(({ path, status }) => ({ path, status })), summary: words.join("; ") };
}

function filesInWords(files: readonly PlannedFile[]): string {
  return files.map((file) => `${file.path} would be ${file.status}`).join(", ");
}
