/**
 * `generateClient`: manifest in, files out (relative path → text). No I/O beyond
 * reading the packaged templates when the caller does not pass them.
 */
import type { SdkManifest } from "../contract/sdk.js";
import { createContext } from "./context.js";
import { indexHeader, integrationHeader, intentsHeader, runtimeHeader } from "./header.js";
import { intentFiles } from "./intents-module.js";
import { compare } from "./hoist.js";
import { renderIndexModule, type IndexEntry } from "./index-module.js";
import { groupLoaderFiles, groupModules, groupsLoadLater, integrationFiles, renderGroupLoader, renderGroupModule, renderIntegrationModule, renderIntegrationTypes } from "./integration-module.js";
import { CodegenError, fileTable } from "./naming.js";
import { assertEveryModuleParses } from "./parse-guard.js";
import { planIntegration } from "./plan.js";
import { loadTemplates, type Templates } from "./templates.js";

export interface GenerateOptions {
  /** Written into every file's header. */
  generatorVersion: string;
  /** Defaults to the templates/ folder shipped with the package. */
  templates?: Templates;
  /**
   * An integration whose action table is longer than this many bytes loads each group's table
   * with `import()` when one of its actions is first called; default `LAZY_GROUPS_ABOVE_BYTES`
   * (4 KB). 0 makes every integration with groups do so.
   */
  lazyGroupsAboveBytes?: number;
}

/**
 * Generates the TypeScript client for a manifest: `index.ts`, the runtime (`runtime.js` and
 * `runtime.d.ts`, and the modules it loads when first needed: `runtime-error-map.js` and
 * `runtime-errors.js`, `runtime-paging.js`, `runtime-batch.js`, `runtime-request.js`, each
 * with its `.d.ts`) and per
 * integration its entry point (`github.ts`: `createWaygate`, `bindClient`), a declaration
 * file with its types (`github.types.d.ts`) and a module per top-level group
 * (`github.issues.js` with its `.d.ts`: the group's action table and `createWaygate` with
 * that group alone).
 * An integration whose table is long (`lazyGroupsAboveBytes`) keeps only its group names in
 * github.ts and loads a group's module when one of its actions is first called, through
 * `github.groups.lazy.js` (with its `.d.ts`). The same
 * manifest always gives the same bytes, and each file's header names only what it depends
 * on: a new version of one integration changes its own files and index.ts. Every module is
 * parsed before it is returned (parse-guard.ts). The manifest's
 * `apiUrl` is not used: clients take their base URL at run time.
 *
 * @example
 * const files = generateClient(manifest, { generatorVersion: "0.1.0" });
 * files.get("index.ts"); // exports createWaygate(options)
 */
export function generateClient(manifest: SdkManifest, options: GenerateOptions): Map<string, string> {
  const ctx = createContext(options.generatorVersion, options.templates ?? loadTemplates());
  const integrations = [...manifest.integrations].sort((a, b) => compare(a.slug, b.slug));
  const files = fileTable();
  const output = new Map<string, string>();
  const entries: IndexEntry[] = [];
  let previous: string | undefined;
  for (const integration of integrations) {
    if (integration.slug === previous) throw new CodegenError(`integration ${JSON.stringify(integration.slug)} appears twice in the manifest`);
    previous = integration.slug;
    if (!Number.isSafeInteger(integration.version) || integration.version < 1) {
      throw new CodegenError(`integration ${JSON.stringify(integration.slug)} has an invalid version`);
    }
    const plan = planIntegration(integration, ctx);
    const module = files.claim(integration.slug, "file", "integration");
    entries.push({ plan, module });
    const names = integrationFiles(module);
    const head = integrationHeader(options.generatorVersion, integration);
    output.set(names.types, renderIntegrationTypes(plan, head));
    const groups = groupModules(plan, module);
    const lazy = groupsLoadLater(plan, groups, options.lazyGroupsAboveBytes);
    output.set(names.module, renderIntegrationModule(plan, names.module, names.typesSpecifier, head, lazy ? groups : []));
    for (const group of groups) {
      const { js, dts } = renderGroupModule(plan, group, names.typesSpecifier, head);
      output.set(group.js, js).set(group.dts, dts);
    }
    if (lazy) {
      const loader = groupLoaderFiles(module);
      const { js, dts } = renderGroupLoader(plan, groups, head);
      output.set(loader.js, js).set(loader.dts, dts);
    }
  }
  const intents = manifest.intents ?? [];
  for (const [path, text] of intentFiles(intents, intentsHeader(options.generatorVersion, intents), ctx)) output.set(path, text);
  const runtimeHead = runtimeHeader(options.generatorVersion);
  for (const [file, text] of ctx.templates.runtime.files) output.set(file, runtimeHead + text);
  output.set("index.ts", renderIndexModule(entries, indexHeader(options.generatorVersion, integrations, intents), ctx, intents.length > 0));
  const sorted = new Map([...output].sort(([a], [b]) => compare(a, b)));
  assertEveryModuleParses(sorted);
  return sorted;
}
