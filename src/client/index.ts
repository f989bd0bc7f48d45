export { WaygateClient, type ClientOptions, type RawAnswer } from "./client.js";
export { ApiError, NetworkError, UnexpectedResponseError } from "./errors.js";
