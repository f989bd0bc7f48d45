/**
 * Everything one generator run carries: its options, the templates it copies, and the
 * caches shared between integrations. Built once per `generateClient` call; nothing in
 * src/codegen keeps module-level state.
 */
import type { DefFacts } from "./hoist.js";
import type { Templates } from "./templates.js";

export interface CodegenContext {
  readonly generatorVersion: string;
  readonly templates: Templates;
  /** Per raw definition object: its hash and refs (importers often share one object across operations). */
  readonly defFacts: WeakMap<object, DefFacts>;
  /** The same, by the definition's JSON text, for equal definitions that are different objects. */
  readonly defFactsByText: Map<string, DefFacts>;
}

export function createContext(generatorVersion: string, templates: Templates): CodegenContext {
  return { generatorVersion, templates, defFacts: new WeakMap(), defFactsByText: new Map() };
}
