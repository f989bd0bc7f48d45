export * from "./common.js";
export * from "./identity.js";
export * from "./integrations.js";
export * from "./problem.js";
export * from "./sdk.js";
export * from "./routes.js";
export * from "./jobs.js";
