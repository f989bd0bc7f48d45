/**
 * The naming table: every identifier, member name and file name the generator writes
 * passes through a `NameTable` for its scope, so a spec can neither collide with the
 * generator's own names nor smuggle code in through a name. Names are ASCII-only by
 * construction (spec names are transliterated), so homoglyphs, zero-width joiners and
 * bidi overrides never reach the output.
 */
import { RUNTIME_MODULES } from "./runtime-build.js";

/** Words that cannot be a binding name in strict-mode ES modules or TypeScript. */
const RESERVED_WORDS = new Set(
  (
    "break case catch class const continue debugger default delete do else enum export extends false finally for " +
    "function if import in instanceof new null return super switch this throw true try typeof var void while with " +
    "yield let static implements interface package private protected public await arguments eval async of " +
    "any unknown never object string number bigint boolean symbol undefined type keyof infer is asserts declare " +
    "abstract readonly module namespace require global satisfies accessor unique out get set constructor"
  ).split(" "),
);

/**
 * Global types the rendered type text refers to (openapi-typescript emits `Record`,
 * `Omit`, `Extract`; the runtime signatures use `Promise`, `AsyncIterable`). A spec
 * type with one of these names would shadow the global, so it is renamed instead.
 */
const GLOBAL_TYPE_NAMES = (
  "Array ReadonlyArray Record Omit Pick Partial Required Readonly Extract Exclude NonNullable Parameters " +
  "ReturnType InstanceType Awaited Promise PromiseLike AsyncIterable AsyncIterator AsyncIterableIterator " +
  "AsyncGenerator Iterable Iterator Generator Object String Number Boolean Symbol BigInt Date Error RegExp " +
  "Function Map Set WeakMap WeakSet JSON Math Uppercase Lowercase Capitalize Uncapitalize ThisType NoInfer " +
  "Response Request Headers AbortSignal AbortController URL Uint8Array ArrayBuffer globalThis"
).split(" ");

/**
 * Members that must not appear as own properties of a client object: `then` makes the
 * object a thenable (so `await wg.github` would call an action), `toJSON`/`toString`/
 * `valueOf` are called implicitly, `__proto__` in an object literal sets the prototype.
 */
const DANGEROUS_MEMBERS = new Set([
  ...Object.getOwnPropertyNames(Object.prototype),
  "then",
  "catch",
  "finally",
  "toJSON",
  "prototype",
  "inspect",
]);

/** Members of the client root besides integrations: `wg.withOptions(…)`, `wg.intents`, `wg.connect`. */
const ROOT_MEMBERS = new Set(["withOptions", "intents", "connect"]);

/** The root's `connect` member in a generated `Waygate` interface (the runtime binds it on first use). */
export const CONNECT_MEMBER = "    /** Connect sessions: links to the hosted connect page where an end user authorises an integration. */\n    readonly connect: runtime.ConnectClient;";

/** Windows refuses these as file names whatever the extension. */
const DEVICE_FILE_NAMES = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])$/;

export type NameStyle = "pascal" | "camel" | "member" | "file";

/**
 * One scope's table of names in use. `claim` returns a name that is valid for the
 * style, not reserved, and not yet used in this scope; collisions get a numeric suffix.
 */
export class NameTable {
  readonly #used = new Set<string>();
  readonly #reserved = new Set<string>();
  readonly #caseInsensitive: boolean;
  readonly #nextSuffix = new Map<string, number>();

  constructor(reserved: Iterable<string> = [], options: { caseInsensitive?: boolean } = {}) {
    this.#caseInsensitive = options.caseInsensitive ?? false;
    for (const name of reserved) this.#reserved.add(this.#key(name));
  }

  /** Marks a name the generator itself writes, so no spec name can take it. */
  reserve(name: string): void {
    this.#reserved.add(this.#key(name));
  }

  has(name: string): boolean {
    return this.#used.has(this.#key(name)) || this.#reserved.has(this.#key(name));
  }

  claim(raw: string, style: NameStyle, fallback = "item"): string {
    const base = toName(raw, style) || toName(fallback, style);
    const needsEscape = this.#reserved.has(this.#key(base)) || isForbidden(base, style);
    const stem = needsEscape ? base + (style === "file" ? "-" : "_") : base;
    let candidate = stem;
    // Resume numbering where the last claim of this stem stopped: many variants of one name stay linear.
    let n = this.#nextSuffix.get(stem) ?? 2;
    while (this.has(candidate) || isForbidden(candidate, style)) candidate = `${stem}${n++}`;
    this.#nextSuffix.set(stem, n);
    this.#used.add(this.#key(candidate));
    return candidate;
  }

  /**
   * Claims `<base><suffix>` for every suffix with one shared base, so an action's
   * `XInput`, `XOutput` and `XItem` always agree (`IssuesCreate2Input` with `IssuesCreate2Output`).
   */
  claimFamily(raw: string, suffixes: readonly string[], fallback = "action"): string {
    const base = toName(raw, "pascal") || toName(fallback, "pascal");
    let stem = base;
    for (let n = 2; suffixes.some((suffix) => this.has(stem + suffix) || isForbidden(stem + suffix, "pascal")); n++) {
      stem = `${base}${n}`;
    }
    for (const suffix of suffixes) this.#used.add(this.#key(stem + suffix));
    return stem;
  }

  #key(name: string): string {
    return this.#caseInsensitive ? name.toLowerCase() : name;
  }
}

function isForbidden(name: string, style: NameStyle): boolean {
  if (style === "member") return DANGEROUS_MEMBERS.has(name);
  if (style === "file") return DEVICE_FILE_NAMES.test(name) || name === "index" || (RUNTIME_MODULES as readonly string[]).includes(name);
  return RESERVED_WORDS.has(name) || GLOBAL_TYPE_NAMES.includes(name);
}

/** Splits any string into ASCII alphanumeric words (accents folded, everything else a separator). */
export function words(raw: string): string[] {
  const folded = raw.normalize("NFKD").replace(/[\u0300-\u036f]/g, "");
  // Split camelCase humps too, so `listForOrg` and `list-for-org` give the same words.
  return folded
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .split(/[^A-Za-z0-9]+/)
    .filter((word) => word.length > 0);
}

function toName(raw: string, style: NameStyle): string {
  if (style === "file") {
    return words(raw)
      .map((word) => word.toLowerCase())
      .join("-")
      .slice(0, 64);
  }
  if (style === "member" && isAsciiIdentifier(raw)) return raw;
  const parts = words(raw);
  if (parts.length === 0) return "";
  const joined =
    style === "pascal"
      ? parts.map(upperFirst).join("")
      : parts.map((word, index) => (index === 0 ? lowerFirst(word) : upperFirst(word))).join("");
  const name = /^[0-9]/.test(joined) ? `_${joined}` : joined;
  return name.slice(0, 200);
}

export function isAsciiIdentifier(name: string): boolean {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) && !RESERVED_WORDS.has(name);
}

export function upperFirst(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

function lowerFirst(word: string): string {
  return word.charAt(0).toLowerCase() + word.slice(1);
}

/**
 * The file-name scope: `index.ts` and the runtime's modules (`runtime.js`, `runtime-batch.js`) are the generator's, and names are
 * unique ignoring case. Each claimed name `x` becomes `x.ts` and `x.types.d.ts`; names
 * hold no dot, so no module's types file can meet another file.
 */
export function fileTable(): NameTable {
  return new NameTable(["index", ...RUNTIME_MODULES], { caseInsensitive: true });
}

/**
 * The `wg.<property>` name of an integration, from its slug. Slugs are
 * `[a-z0-9][a-z0-9-]*`, and this mapping is injective on them (a dash before a letter
 * capitalises it, any other dash becomes `_`, a leading digit gets a `_`, a name the
 * client root or JavaScript claims gets a `$`), so snippets
 * rendered for one integration agree with the client generated for the whole manifest.
 */
export function integrationProperty(slug: string): string {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(slug)) throw new CodegenError(`invalid integration slug ${JSON.stringify(slug)}`);
  const camel = slug.replace(/-([a-z])?/g, (_dash, letter: string | undefined) => (letter ? letter.toUpperCase() : "_"));
  const name = /^[0-9]/.test(camel) ? `_${camel}` : camel;
  return DANGEROUS_MEMBERS.has(name) || RESERVED_WORDS.has(name) || ROOT_MEMBERS.has(name) ? `${name}$` : name;
}

/** Thrown for input the generator refuses rather than renames. */
export class CodegenError extends Error {
  override readonly name = "CodegenError";
}

/**
 * A string literal safe in TS/JS source: JSON escaping plus U+2028/U+2029 (line
 * terminators in older parsers) and every other non-ASCII character, so the output
 * file is pure ASCII and no invisible character survives.
 */
export function jsString(value: string): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/**
 * Escapes invisible and direction-changing characters wherever they are in generated
 * text. In a string literal `\uXXXX` means the same character; in a comment it is shown
 * as text. Either way nothing can make the code read differently than it runs.
 */
export function escapeInvisible(text: string): string {
  return text.replace(
    /[\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}
