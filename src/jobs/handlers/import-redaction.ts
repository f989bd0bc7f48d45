import { Redactor } from "../../gateway/response.js";
import { splitUrlCredentials } from "../../lib/url-credentials.js";

/** http(s) URLs inside free text (an error message, a warning). */
const URL_IN_TEXT = /\bhttps?:\/\/[^\s"'<>`]+/gi;

/**
 * Hides an import's secrets in everything it reports (progress, errors, warnings, the
 * result's `discoveredFrom`), which is kept in the job row and shown by `jobs list/show`:
 * the secret values the request carried (URL credentials, header values) wherever they
 * appear, and the credentials of any URL, the document's own links included.
 */
export class ImportRedaction {
  private readonly values: Redactor;

  constructor(secrets: readonly string[]) {
    this.values = new Redactor(secrets);
  }

  text(value: string): string {
    return this.values.text(value).replace(URL_IN_TEXT, (url) => {
      const split = splitUrlCredentials(url);
      // Only URLs with credentials are rewritten: the others stay exactly as the message had them.
      return split.secrets.length > 0 ? split.display : url;
    });
  }

  /** A copy of a JSON value with every string redacted. */
  json<T>(value: T): T {
    if (typeof value === "string") return this.text(value) as T;
    if (Array.isArray(value)) return value.map((item: unknown) => this.json(item)) as T;
    if (typeof value === "object" && value !== null) {
      return Object.fromEntries(Object.entries(value).map(([key, member]) => [key, this.json(member)])) as T;
    }
    return value;
  }

  /** A thrown error, as one that is safe to log and store. */
  error(error: unknown): Error {
    const message = error instanceof Error ? error.message : String(error);
    const redacted = this.text(message);
    if (redacted === message && error instanceof Error) return error;
    return new Error(redacted);
  }
}

/** The values of headers to hide: the whole value, and each long word of it (the token after "Bearer"). */
export function headerSecrets(headers: Record<string, string>): string[] {
  return Object.values(headers).flatMap((value) => [value, ...value.split(/\s+/).filter((word) => word.length >= 8)]);
}
