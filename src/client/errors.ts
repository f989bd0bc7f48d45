import type { Problem } from "../contract/index.js";

/** The API answered with an error status; `problem` is its RFC 9457 body. */
export class ApiError extends Error {
  override name = "ApiError";
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(problem.detail ?? problem.title);
  }
}

/** The API could not be reached at all (refused, DNS, timeout, reset). */
export class NetworkError extends Error {
  override name = "NetworkError";
  constructor(
    message: string,
    readonly code: string | undefined,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The API answered 2xx with a body that does not match the contract: a version mismatch or a proxy in the way. */
export class UnexpectedResponseError extends Error {
  override name = "UnexpectedResponseError";
}
