/**
 * The invoke pipeline: validate input → build the request → authenticate → send (rate
 * limits, retries) → paginate → validate output → map fields. A library: the server wires
 * it into `POST /v1/invoke/{integration}/{action}`.
 */
export { Gateway } from "./gateway.js";
export {
  GatewayError,
  PROBLEM_ABORTED,
  PROBLEM_AUTH_MISSING,
  PROBLEM_INVALID_DEFINITION,
  PROBLEM_INVALID_INPUT,
  PROBLEM_INVALID_MAPPING,
  PROBLEM_INVALID_OUTPUT,
  PROBLEM_INVALID_PAGE_TOKEN,
  PROBLEM_OAUTH_REFRESH_FAILED,
  PROBLEM_RATE_LIMIT_WAIT_EXCEEDED,
  PROBLEM_UPSTREAM_ERROR,
  PROBLEM_UPSTREAM_RESPONSE_TOO_LARGE,
  PROBLEM_UPSTREAM_TIMEOUT,
  PROBLEM_UPSTREAM_UNREACHABLE,
} from "./problems.js";
export type { GatewayProblem, UpstreamSummary } from "./problems.js";
export { credentialsFromTokenResponse, refreshGrant, tokenEndpoint } from "./oauth.js";
export type { TokenResponse } from "./oauth.js";
export type {
  BucketConfig,
  Connection,
  Credentials,
  FieldMapping,
  GatewayDeps,
  InvokeIntegration,
  InvokeOptions,
  InvokeRequest,
  InvokeResponse,
  OAuth2Credentials,
  OutputValidation,
  RateLimitConfig,
} from "./types.js";
