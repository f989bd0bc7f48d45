declare const __WAYGATE_VERSION__: string | undefined;

/** The package version, inlined by tsup at build time; a dev marker when run from source. */
export const VERSION: string = typeof __WAYGATE_VERSION__ === "string" ? __WAYGATE_VERSION__ : "0.0.0-dev";
