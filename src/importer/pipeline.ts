import { resolve as resolvePath } from "node:path";
import { pathToFileURL } from "node:url";
import { definitionHash } from "../lib/definition-hash.js";
import { assemble } from "./assemble.js";
import type { Context } from "./context.js";
import { hideCredentialParams } from "./credential-params.js";
import { detectDataFormat, looksLikeHtml } from "./detect.js";
import { importHtml } from "./html/import-html.js";
import type { ApiModel } from "./model.js";
import { readOpenApi3 } from "./openapi3.js";
import { decodeText, guessSyntax, parseData, stripBom } from "./parse.js";
import { readPostman } from "./postman.js";
import { fail } from "./problem.js";
import { DocumentSet } from "./refs.js";
import { readSwagger2 } from "./swagger2.js";
import type { ImportFormat, ImportOutcome, ImportSource } from "./types.js";
import type { JsonObject } from "./util.js";

export type FormatChoice = "auto" | ImportFormat;

/** A document's text with where it came from. */
export interface RootDocument {
  /** Id that relative references resolve against: final URL, file: URL (baseDir) or `content:<name>`. */
  id: string;
  /** Name for messages. */
  display: string;
  text: string;
  /** Bytes of the root when it was given as content (fetched bytes are counted by the fetcher). */
  contentBytes: number;
  contentType?: string | undefined;
}

export async function loadSource(source: ImportSource, ctx: Context): Promise<RootDocument> {
  if (source.kind === "url") {
    ctx.progress({ stage: "fetching", message: source.url });
    const fetched = await ctx.fetcher.get(source.url, "document");
    return { id: fetched.url, display: fetched.url, text: decodeText(fetched.bytes), contentBytes: 0, contentType: fetched.contentType };
  }
  const content = source.content;
  const bytes = typeof content === "string" ? Buffer.byteLength(content) : content.byteLength;
  const display = source.filename ?? "(content)";
  if (bytes > ctx.limits.maxDocumentBytes) fail("too_large", `document is ${bytes} bytes, over the ${ctx.limits.maxDocumentBytes}-byte limit (maxDocumentBytes)`, { source: display });
  const text = typeof content === "string" ? stripBom(content) : decodeText(content);
  let id: string;
  if (ctx.options.baseUrl !== undefined) id = new URL(source.filename ?? "", ctx.options.baseUrl).href;
  else if (ctx.options.baseDir !== undefined) id = pathToFileURL(resolvePath(ctx.options.baseDir, source.filename ?? "document")).href;
  // An opaque id: relative references against it fail, absolute URLs still resolve.
  else id = "content:" + encodeURIComponent(display);
  return { id, display, text, contentBytes: bytes };
}

/** Parses, detects, reads and assembles one root document. `allowHtml` is false for a spec found on a page (no loops). */
export async function importRoot(root: RootDocument, ctx: Context, format: FormatChoice, allowHtml: boolean): Promise<ImportOutcome> {
  ctx.sourceName = root.display;
  ctx.checkAborted();
  const html = format === "html" || (format === "auto" && looksLikeHtml(root.text, root.contentType));
  if (html) {
    if (!allowHtml) fail("no_spec_found", "the spec link on the page led to another HTML page", { source: root.display });
    return importHtml(root, ctx);
  }
  ctx.progress({ stage: "parsing" });
  const location = { source: root.display };
  const parsed = parseData(root.text, root.display, guessSyntax(root.text, `${root.id} ${root.contentType ?? ""}`), ctx.limits, ctx.warnings);
  const detected = detectDataFormat(parsed.value, location);
  if (format !== "auto" && format !== detected.format) {
    fail("format_mismatch", `format "${format}" was requested but the document is ${detected.format} ${detected.version}`, location);
  }
  let api: ApiModel;
  let documents = 1;
  let refs = 0;
  if (detected.format === "postman") {
    ctx.progress({ stage: "normalising" });
    api = readPostman(parsed.value as JsonObject, root.display, ctx, detected.version);
  } else {
    const docs = new DocumentSet(root.id, parsed, {
      limits: ctx.limits,
      warnings: ctx.warnings,
      fetcher: ctx.fetcher,
      baseDir: ctx.options.baseDir,
      onProgress: (done, total) => ctx.progress({ stage: "resolving", done, total }),
    });
    ctx.progress({ stage: "resolving" });
    await docs.loadAll();
    ctx.checkAborted();
    ctx.progress({ stage: "normalising" });
    api = detected.format === "openapi" ? readOpenApi3(docs, ctx) : readSwagger2(docs, ctx);
    refuseDanglingRefs(docs, ctx);
    documents = docs.size;
    refs = docs.refCount;
  }
  hideCredentialParams(api, ctx.warnings);
  const assembled = assemble(api, ctx);
  const definition = assembled.definition;
  return {
    kind: "imported",
    definition,
    contentHash: definitionHash(definition),
    format: detected.format,
    formatVersion: detected.version,
    warnings: ctx.warnings.toArray(),
    stats: {
      operations: api.operations.length + api.skippedOperations,
      actions: definition.actions.length,
      documents,
      bytes: root.contentBytes + ctx.fetcher.bytes,
      refs,
      schemas: assembled.schemas,
    },
  };
}

/**
 * A `$ref` that points to nothing is a broken document (typically truncated): importing it
 * would publish schemas that accept anything where the vendor meant a shape. Refused unless
 * the caller accepts that (`--allow-dangling-refs`).
 */
function refuseDanglingRefs(docs: DocumentSet, ctx: Context): void {
  const first = docs.dangling[0];
  if (!first || ctx.options.allowDanglingRefs) return;
  const more = docs.danglingCount - 1;
  fail(
    "dangling_ref",
    `$ref ${JSON.stringify(first.ref.slice(0, 300))} at ${first.location.pointer ?? "/"} points to nothing${more > 0 ? ` (and ${more} more dangling $ref${more === 1 ? "" : "s"})` : ""}; fix the document, or pass --allow-dangling-refs to import it with those schemas accepting any value`,
    first.location,
  );
}
