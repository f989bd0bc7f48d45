export { WaygateClient, type ClientOptions } from "./client.js";
export { ApiError, NetworkError, UnexpectedResponseError } from "./errors.js";
