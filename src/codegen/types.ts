/**
 * Renders clean schemas (see schema-normalize.ts) to TypeScript type text with
 * openapi-typescript's `transformSchemaObject`, one schema at a time, so 1000+ schemas
 * never become one giant document and a bad schema cannot affect its neighbours.
 * Refs arrive as `#/<TypeName>`, which openapi-typescript prints as a bare reference.
 */
import { astToString, transformSchemaObject } from "openapi-typescript";
import type { GlobalContext, SchemaObject } from "openapi-typescript";
import ts from "typescript";
import type { CleanSchema } from "./schema-normalize.js";

export interface TypeRenderer {
  render(name: string, schema: CleanSchema): string;
  /** Helper declarations openapi-typescript asked for (e.g. `WithRequired`), printed once. */
  helpers(): string[];
}

export function createTypeRenderer(named: ReadonlyMap<string, CleanSchema>): TypeRenderer {
  const ctx: GlobalContext = {
    additionalProperties: false,
    alphabetize: false,
    arrayLength: false,
    // A default is what the upstream fills in, not a promise the field is present.
    defaultNonNullable: false,
    discriminators: { objects: {}, refsHandled: [] },
    // A bare `{type: "object"}` is a free-form map, not an object with no keys.
    emptyObjectsUnknown: true,
    enum: false,
    enumValues: false,
    conditionalEnums: false,
    dedupeEnums: false,
    excludeDeprecated: false,
    exportType: false,
    immutable: false,
    injectFooter: [],
    pathParamsAsTypes: false,
    postTransform: undefined,
    propertiesRequiredByDefault: false,
    rootTypes: false,
    rootTypesNoSchemaPrefix: false,
    rootTypesKeepCasing: false,
    // Only read by openapiTS() itself, which is not used here.
    redoc: undefined as unknown as GlobalContext["redoc"],
    silent: true,
    transform: undefined,
    transformProperty: undefined,
    makePathsEnum: false,
    generatePathParams: false,
    readWriteMarkers: false,
    resolve<T>(ref: string): T | undefined {
      return named.get(ref.slice(2)) as T | undefined;
    },
  };
  // What openapi-typescript's astToString does per call, with one printer and one source file for
  // all 1 000s of schemas: making them per schema was a tenth of generating GitHub's client.
  const file = ts.createSourceFile("types.ts", "", ts.ScriptTarget.ESNext, false, ts.ScriptKind.TS);
  const printer = ts.createPrinter({ newLine: ts.NewLineKind.LineFeed, removeComments: false });
  return {
    render(name, schema) {
      const node = transformSchemaObject(schema as SchemaObject, { path: `#/${name}`, ctx });
      (file as { statements: ts.NodeArray<ts.Statement> }).statements = ts.factory.createNodeArray([node as unknown as ts.Statement]);
      return printer.printFile(file).trim();
    },
    helpers() {
      return [...new Set(ctx.injectFooter.map((node) => astToString(node).trim()))].sort();
    },
  };
}
