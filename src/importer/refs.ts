import { readFile, realpath, stat } from "node:fs/promises";
import { sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { Fetcher } from "./fetch.js";
import { getAtPointer, parsePointer } from "../lib/json-pointer.js";
import { decodeText, guessSyntax, parseData } from "./parse.js";
import type { ExternalRef, ParsedData } from "./parse.js";
import { fail } from "./problem.js";
import type { Warnings } from "./problem.js";
import type { ImportLimits, ImportLocation } from "./types.js";
import { isRecord } from "./util.js";

const MAX_DANGLING_RECORDED = 100;

/** A location inside one loaded document. */
export interface Target {
  docId: string;
  pointer: string;
  value: unknown;
}

export interface DocumentSetOptions {
  limits: ImportLimits;
  warnings: Warnings;
  fetcher: Fetcher;
  /** Local directory that file references must stay inside (content sources with baseDir). */
  baseDir?: string | undefined;
  onProgress?: ((done: number, total: number) => void) | undefined;
}

/**
 * The root document and every document its `$ref`s reach (OpenAPI 3.1 §4.8.23 Reference
 * Object / JSON Schema 2020-12 §8.2.3.1). All are loaded up front, so normalisation resolves
 * synchronously; a reference into a document that cannot be loaded fails the import.
 */
export class DocumentSet {
  readonly rootId: string;
  /** Counted resolutions, for maxRefCount and stats. */
  refCount = 0;
  /** `$ref`s that point to nothing, in the order met (the import refuses them unless allowed). */
  readonly dangling: { ref: string; location: ImportLocation }[] = [];
  private readonly docs = new Map<string, unknown>();
  private readonly pendingRefs = new Map<string, ExternalRef[]>();
  private readonly options: DocumentSetOptions;

  constructor(rootId: string, root: ParsedData, options: DocumentSetOptions) {
    this.rootId = rootId;
    this.docs.set(rootId, root.value);
    this.pendingRefs.set(rootId, root.externalRefs);
    this.options = options;
  }

  get root(): unknown {
    return this.docs.get(this.rootId);
  }

  get size(): number {
    return this.docs.size;
  }

  /** Human-facing name of a document: its URL, or its path for local files. */
  display(docId: string): string {
    if (docId.startsWith("file:")) return fileURLToPath(docId);
    if (docId.startsWith("content:")) return decodeURIComponent(docId.slice("content:".length));
    return docId;
  }

  location(docId: string, pointer?: string): ImportLocation {
    return pointer === undefined ? { source: this.display(docId) } : { source: this.display(docId), pointer };
  }

  /** Loads every document reachable through `$ref`s, breadth first. */
  async loadAll(): Promise<void> {
    const queue: { docId: string; from: ImportLocation }[] = [];
    const queued = new Set<string>([this.rootId]);
    const enqueue = (docId: string) => {
      const refs = this.pendingRefs.get(docId) ?? [];
      this.pendingRefs.delete(docId);
      for (const ref of refs) {
        const target = this.split(ref.ref, docId, ref.pointer);
        if (target && !queued.has(target.docId)) {
          queued.add(target.docId);
          queue.push({ docId: target.docId, from: this.location(docId, ref.pointer) });
        }
      }
    };
    enqueue(this.rootId);
    let done = 0;
    while (queue.length > 0) {
      const next = queue.shift()!;
      this.options.onProgress?.(done, done + queue.length + 1);
      if (this.docs.size >= this.options.limits.maxDocuments) {
        fail("document_limit", `more than ${this.options.limits.maxDocuments} documents are referenced (maxDocuments)`, next.from);
      }
      const parsed = await this.load(next.docId);
      this.docs.set(next.docId, parsed.value);
      this.pendingRefs.set(next.docId, parsed.externalRefs);
      done++;
      enqueue(next.docId);
    }
  }

  private async load(docId: string): Promise<ParsedData> {
    const { limits, warnings } = this.options;
    let bytes: Uint8Array;
    let hint: string = docId;
    if (docId.startsWith("file:")) {
      bytes = await this.readLocal(docId);
    } else {
      const fetched = await this.options.fetcher.get(docId, `referenced document ${docId}`);
      bytes = fetched.bytes;
      hint = `${docId} ${fetched.contentType ?? ""}`;
    }
    const text = decodeText(bytes);
    return parseData(text, this.display(docId), guessSyntax(text, hint), limits, warnings);
  }

  private async readLocal(docId: string): Promise<Uint8Array> {
    const baseDir = this.options.baseDir;
    const path = fileURLToPath(docId);
    if (!baseDir) fail("ref_not_allowed", `file reference ${path} needs the baseDir option`, { source: path });
    let real: string;
    let base: string;
    try {
      base = await realpath(baseDir);
      real = await realpath(path);
    } catch (error) {
      fail("fetch_failed", `cannot read referenced file ${path}: ${(error as Error).message}`, { source: path });
    }
    if (!real.startsWith(base + sep)) fail("ref_not_allowed", `referenced file ${path} is outside baseDir ${baseDir}`, { source: path });
    const info = await stat(real);
    if (!info.isFile()) fail("fetch_failed", `referenced path ${path} is not a file`, { source: path });
    if (info.size > this.options.limits.maxDocumentBytes) {
      fail("too_large", `referenced file ${path} is ${info.size} bytes, over the limit (maxDocumentBytes)`, { source: path });
    }
    const bytes = await readFile(real);
    this.options.fetcher.bytes += bytes.byteLength;
    return bytes;
  }

  /**
   * Document and pointer a reference names. Null (with a warning) when the fragment is not a
   * JSON pointer (plain-name anchors are not supported). Fails when the reference would leave
   * the allowed documents.
   */
  split(ref: string, fromId: string, fromPointer: string): { docId: string; pointer: string } | null {
    const hash = ref.indexOf("#");
    const docPart = hash < 0 ? ref : ref.slice(0, hash);
    let fragment = hash < 0 ? "" : ref.slice(hash + 1);
    try {
      fragment = decodeURIComponent(fragment); // a fragment is URI-encoded (RFC 6901 §6)
    } catch {
      // keep the raw text
    }
    if (fragment !== "" && !fragment.startsWith("/")) {
      this.options.warnings.add("unresolved_ref", `$ref ${JSON.stringify(ref)} uses a plain-name fragment, which is not supported`, this.location(fromId, fromPointer));
      return null;
    }
    if (docPart === "") return { docId: fromId, pointer: fragment };
    let base: URL | null;
    try {
      base = new URL(fromId);
    } catch {
      base = null;
    }
    // Content sources get an opaque `content:` id: only absolute references can leave them.
    if (!base || (base.protocol === "content:" && !/^[a-z][a-z0-9+.-]*:/i.test(docPart))) {
      fail(
        "ref_not_allowed",
        `$ref ${JSON.stringify(ref)} points to another document, but the document was given as content, with nothing to resolve it against: scrape it by its URL (an uploaded file travels alone; library options: baseUrl or baseDir)`,
        this.location(fromId, fromPointer),
      );
    }
    let target: URL;
    try {
      target = new URL(docPart, base);
    } catch {
      fail("ref_not_allowed", `$ref ${JSON.stringify(ref)} is not a valid URI reference`, this.location(fromId, fromPointer));
    }
    target.hash = "";
    const allowed = target.protocol === "http:" || target.protocol === "https:" || (target.protocol === "file:" && base.protocol === "file:");
    if (!allowed) fail("ref_not_allowed", `$ref ${JSON.stringify(ref)} uses ${target.protocol}, which is not allowed from ${base.protocol} documents`, this.location(fromId, fromPointer));
    return { docId: target.href, pointer: fragment };
  }

  /** The value at a place already known to exist (no counting, no warning). */
  at(docId: string, pointer: string): unknown {
    const tokens = parsePointer(pointer);
    const doc = this.docs.get(docId);
    return doc === undefined || tokens === null ? undefined : getAtPointer(doc, tokens);
  }

  /** The value a `$ref` names, counted against maxRefCount; null (warned) when it does not exist. */
  resolve(ref: string, fromId: string, fromPointer: string): Target | null {
    this.count(fromId, fromPointer);
    const where = this.split(ref, fromId, fromPointer);
    if (!where) return null;
    const doc = this.docs.get(where.docId);
    const tokens = parsePointer(where.pointer);
    const value = doc === undefined || tokens === null ? undefined : getAtPointer(doc, tokens);
    if (value === undefined) {
      const location = this.location(fromId, fromPointer);
      this.options.warnings.add("unresolved_ref", `$ref ${JSON.stringify(ref)} points to nothing`, location);
      if (this.dangling.length < MAX_DANGLING_RECORDED) this.dangling.push({ ref, location });
      else this.danglingOverflow++;
      return null;
    }
    return { docId: where.docId, pointer: where.pointer, value };
  }

  /**
   * Follows a chain of Reference Objects (parameters, responses, request bodies, path items)
   * to the object itself. Null (warned) when the chain breaks, loops or is too long.
   */
  deref(value: unknown, docId: string, pointer: string): Target | null {
    let current: Target = { docId, pointer, value };
    const seen = new Set<string>();
    for (let depth = 0; isRecord(current.value) && typeof current.value["$ref"] === "string"; depth++) {
      if (depth >= this.options.limits.maxRefDepth) {
        fail("ref_limit", `$ref chain longer than ${this.options.limits.maxRefDepth} (maxRefDepth)`, this.location(docId, pointer));
      }
      const key = `${current.docId}#${current.pointer}`;
      if (seen.has(key)) {
        this.options.warnings.add("circular_ref", "$ref chain refers back to itself", this.location(docId, pointer));
        return null;
      }
      seen.add(key);
      const next = this.resolve(current.value["$ref"], current.docId, current.pointer);
      if (!next) return null;
      current = next;
    }
    return current;
  }

  /** Dangling references met past MAX_DANGLING_RECORDED (counted, not kept). */
  danglingOverflow = 0;

  get danglingCount(): number {
    return this.dangling.length + this.danglingOverflow;
  }

  private count(fromId: string, fromPointer: string): void {
    if (++this.refCount > this.options.limits.maxRefCount) {
      fail("ref_limit", `more than ${this.options.limits.maxRefCount} $ref resolutions (maxRefCount)`, this.location(fromId, fromPointer));
    }
  }
}
