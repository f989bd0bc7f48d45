/**
 * Value literals for each snippet language. Every string from a spec lands in a
 * snippet through one of these, escaped for that language: anything outside
 * printable ASCII becomes an escape, so no quote, newline, U+2028, bidi override or
 * NUL can end a literal early or hide in the text.
 */
import { isAsciiIdentifier, jsString } from "../naming.js";

const INLINE_WIDTH = 72;

/** A TS/JS expression for a JSON value. Keys are quoted unless plain identifiers. */
export function jsLiteral(value: unknown, indent = ""): string {
  if (Array.isArray(value)) {
    return container("[", "]", value.map((item) => jsLiteral(item, indent + "  ")), indent);
  }
  if (typeof value === "object" && value !== null) {
    const members = Object.entries(value).map(([key, member]) => `${jsKey(key)}: ${jsLiteral(member, indent + "  ")}`);
    return container("{", "}", members, indent, true);
  }
  return scalar(value, jsString);
}

/**
 * `__proto__: x` and `"__proto__": x` in an object literal set the prototype instead of
 * a key; only the computed form makes an own property.
 */
function jsKey(key: string): string {
  if (key === "__proto__") return `[${jsString(key)}]`;
  return isAsciiIdentifier(key) || /^(0|[1-9][0-9]{0,8})$/.test(key) ? key : jsString(key);
}

/** A Python expression for a JSON value. */
export function pythonLiteral(value: unknown, indent = ""): string {
  if (Array.isArray(value)) {
    return container("[", "]", value.map((item) => pythonLiteral(item, indent + "    ")), indent, false, "    ");
  }
  if (typeof value === "object" && value !== null) {
    const members = Object.entries(value).map(([key, member]) => `${pythonString(key)}: ${pythonLiteral(member, indent + "    ")}`);
    return container("{", "}", members, indent, false, "    ");
  }
  if (value === null || value === undefined) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  return scalar(value, pythonString);
}

function scalar(value: unknown, quote: (text: string) => string): string {
  if (typeof value === "string") return quote(value);
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "0";
  if (typeof value === "boolean") return String(value);
  return "null";
}

function container(open: string, close: string, members: string[], indent: string, padded = false, step = "  "): string {
  if (members.length === 0) return open + close;
  const inline = padded ? `${open} ${members.join(", ")} ${close}` : `${open}${members.join(", ")}${close}`;
  if (inline.length <= INLINE_WIDTH && !inline.includes("\n")) return inline;
  return `${open}\n${members.map((member) => `${indent}${step}${member},`).join("\n")}\n${indent}${close}`;
}

/** Escapes every code point outside printable ASCII with `\uXXXX`/`\UXXXXXXXX`-style escapes. */
function escapeCodePoints(text: string, escape: (codePoint: number) => string, specials: Record<string, string>): string {
  let out = "";
  for (const char of text) {
    const special = specials[char];
    if (special !== undefined) out += special;
    else {
      const codePoint = char.codePointAt(0) ?? 0;
      out += codePoint >= 0x20 && codePoint < 0x7f ? char : escape(codePoint);
    }
  }
  return out;
}

const hex = (value: number, width: number): string => value.toString(16).padStart(width, "0");
const COMMON_SPECIALS: Record<string, string> = { "\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/** A double-quoted Python str literal (lone surrogates are legal in a Python str). */
export function pythonString(text: string): string {
  const body = escapeCodePoints(text, (cp) => (cp > 0xffff ? `\\U${hex(cp, 8)}` : `\\u${hex(cp, 4)}`), COMMON_SPECIALS);
  return `"${body}"`;
}

/** A Go interpreted string literal; a lone surrogate (invalid in Go) becomes U+FFFD. */
export function goString(text: string): string {
  const escape = (cp: number): string =>
    cp >= 0xd800 && cp <= 0xdfff ? "\\ufffd" : cp > 0xffff ? `\\U${hex(cp, 8)}` : `\\u${hex(cp, 4)}`;
  return `"${escapeCodePoints(text, escape, COMMON_SPECIALS)}"`;
}

/** A POSIX shell single-quoted word: nothing inside is special except the quote itself. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** JSON text that is pure ASCII (JSON.stringify leaves U+2028 and friends raw). */
export function asciiJson(value: unknown): string {
  return (JSON.stringify(value) ?? "null").replace(/[\u007f-\uffff]/g, (char) => `\\u${hex(char.charCodeAt(0), 4)}`);
}

/** Percent-encodes what is not printable ASCII in a URL, so it is inert in any quoting. */
export function safeUrl(url: string): string {
  return url.replace(/[^\x21-\x7e]/gu, (char) => {
    try {
      return encodeURIComponent(char);
    } catch {
      return "%EF%BF%BD";
    }
  });
}
