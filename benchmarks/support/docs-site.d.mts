// Types of docs-site.mjs, for the TypeScript tests that use it.
import type { IntegrationDefinition } from "../../src/contract/index.js";

export type DocsStyle = "slate" | "pages" | "readme";
export interface TruthAction {
  method: string;
  path: string;
  path_params: string[];
  query: string[];
  body: string[];
}
export interface Truth {
  baseUrl: string;
  auth: { type: string; name?: string; in?: string };
  actions: TruthAction[];
}
export interface Score {
  endpoints: number;
  endpointRecall: number;
  endpointPrecision: number;
  paramRecall: number;
  paramPrecision: number;
  authRight: boolean;
}
export const STYLES: DocsStyle[];
export function renderDocsSite(definition: IntegrationDefinition, style: DocsStyle): { pages: Record<string, string>; start: string; truth: Truth };
export function truthOf(definition: IntegrationDefinition): Truth;
export function score(definition: IntegrationDefinition, truth: Truth): Score;
