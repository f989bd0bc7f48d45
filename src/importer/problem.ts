import type { ImportErrorCode, ImportLocation, ImportProblem, ImportWarning } from "./types.js";

/**
 * An expected failure (bad input, refused target, limit reached). Thrown inside the
 * pipeline for brevity and turned into `{ kind: "failed" }` at the public boundary;
 * any other exception is a bug and propagates.
 */
export class ImportFailure extends Error {
  readonly problem: ImportProblem;
  constructor(problem: ImportProblem) {
    super(problem.message);
    this.name = "ImportFailure";
    this.problem = problem;
  }
}

export function fail(code: ImportErrorCode, message: string, location?: ImportLocation): never {
  throw new ImportFailure(location ? { code, message, location } : { code, message });
}

const MAX_WARNINGS = 500;

/** Collects warnings; past a cap only counts them, so a hostile document cannot flood the result. */
export class Warnings {
  readonly list: ImportWarning[] = [];
  private dropped = 0;

  add(code: string, message: string, location?: ImportLocation): void {
    if (this.list.length >= MAX_WARNINGS) {
      this.dropped++;
      return;
    }
    this.list.push(location ? { code, message, location } : { code, message });
  }

  toArray(): ImportWarning[] {
    if (this.dropped === 0) return this.list;
    return [...this.list, { code: "warnings_truncated", message: `${this.dropped} more warnings were not recorded` }];
  }
}

export function at(source: string, pointer?: string): ImportLocation {
  return pointer === undefined ? { source } : { source, pointer };
}

export function describeLocation(location: ImportLocation | undefined): string {
  if (!location) return "";
  let text = location.source;
  if (location.line !== undefined) text += `:${location.line}:${location.column ?? 1}`;
  if (location.pointer !== undefined) text += ` at ${location.pointer === "" ? "/" : location.pointer}`;
  return text;
}
