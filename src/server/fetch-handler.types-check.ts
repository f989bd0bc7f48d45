// Compiled by `tsc --noEmit` only: fails when the hand-written types/server.d.ts and the
// source of `waygate/server` disagree, in either direction.
import type * as Declared from "../../types/server.js";
import type * as Source from "./fetch-handler.js";

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const sameHandler: Same<ReturnType<typeof Source.createFetchHandler>, ReturnType<typeof Declared.createFetchHandler>> = true;
export const sameOptions: Same<Parameters<typeof Source.createFetchHandler>, Parameters<typeof Declared.createFetchHandler>> = true;
export const sameLogger: Same<Source.Logger, Declared.Logger> = true;
