import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { z } from "zod";
import { problemTypes, problemTypeUri, type FieldError, type Problem, type ProblemKind } from "../contract/index.js";
import type { AppEnv } from "./env.js";

/** The one error type route code throws; the error handler renders it as problem+json. */
export class HttpError extends Error {
  override name = "HttpError";
  constructor(
    readonly kind: ProblemKind,
    readonly detail?: string,
    readonly fieldErrors?: FieldError[],
    readonly headers: Record<string, string> = {},
    /** The problem's `code`: a machine-readable cause within the type. */
    readonly code?: string,
  ) {
    super(detail ?? problemTypes[kind].title);
  }

  get status(): number {
    return problemTypes[this.kind].status;
  }

  toProblem(instance?: string, requestId?: string): Problem {
    return {
      type: problemTypeUri(this.kind),
      title: problemTypes[this.kind].title,
      status: this.status,
      ...(this.detail ? { detail: this.detail } : {}),
      ...(instance ? { instance } : {}),
      ...(this.fieldErrors?.length ? { errors: this.fieldErrors } : {}),
      ...(this.code ? { code: this.code } : {}),
      ...(requestId ? { requestId } : {}),
    };
  }
}

export function notFound(what: string): HttpError {
  return new HttpError("not-found", `${what} not found`);
}

/** Zod issues as field errors: `body.actions.3.name: must be …`. */
export function validationError(location: "params" | "query" | "headers" | "body", error: z.ZodError): HttpError {
  const fields = error.issues.slice(0, 50).map((issue) => ({
    field: [location, ...issue.path.map(String)].join("."),
    message: issue.message,
  }));
  const first = fields[0];
  const detail = first ? `${first.field}: ${first.message}${fields.length > 1 ? ` (and ${fields.length - 1} more)` : ""}` : undefined;
  return new HttpError("validation", detail, fields);
}

export function problemResponse(c: Context<AppEnv>, error: HttpError): Response {
  for (const [name, value] of Object.entries(error.headers)) c.header(name, value);
  return c.body(JSON.stringify(error.toProblem(c.req.path, c.get("requestId"))), error.status as ContentfulStatusCode, {
    "content-type": "application/problem+json",
  });
}
