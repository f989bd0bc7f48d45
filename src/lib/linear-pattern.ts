import { RE2JS } from "re2js";

/**
 * JSON Schema `pattern`s (ECMA-262 syntax, Validation 2020-12 §6.3.3 and Core §6.4) run on
 * RE2JS, a pure-JavaScript port of RE2 whose matching time is linear in the input: no
 * pattern, however crafted, can backtrack. The pattern is read as ECMA-262 (Unicode mode,
 * with Annex B's leniency for escapes and braces that real specs rely on) and rewritten
 * into RE2 syntax with ECMA-262's meaning: `.` and `\s` keep their ECMA-262 sets and
 * matching is by code point. What RE2 cannot express in linear time — lookaround and
 * backreferences — is reported as unsupported; it never falls back to a backtracking engine.
 *
 * @example
 * const slug = compileLinearPattern("^[a-z0-9-]+$");
 * if (slug.kind === "linear") slug.regexp.test("my-repo"); // true
 */
export type LinearPattern = { kind: "linear"; regexp: RE2JS; cost: number } | { kind: "unsupported"; reason: string };

/** RE2 refuses repetition counts above 1000 (`a{1001}`). */
const MAX_REPEAT = 1000;
/**
 * Matching costs about one step per input character per program instruction in the worst
 * case, so a pattern's program size bounds its per-character cost; 4000 instructions fit
 * every pattern seen in real specs (ajv-formats' `uri` needs about 1400).
 */
export const MAX_PROGRAM_SIZE = 4000;

export interface LinearPatternOptions {
  maxProgramSize?: number;
  /** The `i` flag (JSON Schema patterns have no flags; format definitions do). */
  ignoreCase?: boolean;
}

export function compileLinearPattern(pattern: string, options: LinearPatternOptions = {}): LinearPattern {
  const maxProgramSize = options.maxProgramSize ?? MAX_PROGRAM_SIZE;
  if (!isEcmaPattern(pattern)) return { kind: "unsupported", reason: "not a valid ECMA-262 regular expression" };
  const translated = translateToRe2(pattern);
  if (translated.kind === "unsupported") return translated;
  let regexp: RE2JS;
  try {
    regexp = RE2JS.compile(translated.source, options.ignoreCase ? RE2JS.CASE_INSENSITIVE : 0);
  } catch (error) {
    return { kind: "unsupported", reason: `RE2 cannot run it (${error instanceof Error ? error.message : String(error)})` };
  }
  const size = regexp.programSize();
  if (size > maxProgramSize) return { kind: "unsupported", reason: `it compiles to ${size} instructions, more than ${maxProgramSize}` };
  return { kind: "linear", regexp, cost: size };
}

/** Parsing (not running) a RegExp is linear; Unicode mode first, then Annex B's lenient grammar. */
function isEcmaPattern(pattern: string): boolean {
  for (const flags of ["u", ""]) {
    try {
      new RegExp(pattern, flags);
      return true;
    } catch {
      // try the next grammar
    }
  }
  return false;
}

type Translation = { kind: "translated"; source: string } | { kind: "unsupported"; reason: string };

class Unsupported extends Error {}

/** ECMA-262 `\s`: WhiteSpace and LineTerminator (§22.2.2.9, §12.2, §12.3). */
const WHITESPACE: Range[] = [
  [0x09, 0x0d],
  [0x20, 0x20],
  [0xa0, 0xa0],
  [0x1680, 0x1680],
  [0x2000, 0x200a],
  [0x2028, 0x2029],
  [0x202f, 0x202f],
  [0x205f, 0x205f],
  [0x3000, 0x3000],
  [0xfeff, 0xfeff],
];
/** What ECMA-262 `.` does not match without the `s` flag: LineTerminator. */
const LINE_TERMINATORS: Range[] = [
  [0x0a, 0x0a],
  [0x0d, 0x0d],
  [0x2028, 0x2029],
];
const DIGITS: Range[] = [[0x30, 0x39]];
const WORD: Range[] = [
  [0x30, 0x39],
  [0x41, 0x5a],
  [0x5f, 0x5f],
  [0x61, 0x7a],
];
const MAX_CODE_POINT = 0x10ffff;

type Range = [number, number];
/** One member of a character class: a code point, or a set written in RE2 class syntax. */
type ClassAtom = { kind: "char"; code: number } | { kind: "set"; re2: string };

/** ECMA-262 pattern → RE2 syntax with the same meaning, or the construct RE2 cannot run. */
export function translateToRe2(pattern: string): Translation {
  try {
    return { kind: "translated", source: new Translator(pattern).run() };
  } catch (error) {
    if (error instanceof Unsupported) return { kind: "unsupported", reason: error.message };
    throw error;
  }
}

class Translator {
  private position = 0;
  private out = "";

  constructor(private readonly pattern: string) {}

  run(): string {
    while (this.position < this.pattern.length) this.term();
    return this.out;
  }

  private term(): void {
    const char = this.pattern[this.position]!;
    switch (char) {
      case "\\":
        this.out += this.escapeOutsideClass();
        return;
      case "[":
        this.out += this.characterClass();
        return;
      case "(":
        this.out += this.groupOpening();
        return;
      case ".":
        this.position++;
        this.out += `[^${rangesText(LINE_TERMINATORS)}]`;
        return;
      case "{":
        this.out += this.braces();
        return;
      case "}":
      case "]":
        this.position++;
        this.out += `\\${char}`;
        return;
      case ")":
      case "|":
      case "^":
      case "$":
      case "*":
      case "+":
      case "?":
        this.position++;
        this.out += char;
        return;
      default: {
        const code = this.pattern.codePointAt(this.position)!;
        this.position += code > 0xffff ? 2 : 1;
        this.out += literal(code);
      }
    }
  }

  private groupOpening(): string {
    const rest = this.pattern.slice(this.position);
    if (rest.startsWith("(?=") || rest.startsWith("(?!")) throw new Unsupported("lookahead cannot run in linear time");
    if (rest.startsWith("(?<=") || rest.startsWith("(?<!")) throw new Unsupported("lookbehind cannot run in linear time");
    const named = /^\(\?<([A-Za-z_][A-Za-z0-9_]*)>/.exec(rest);
    if (named) {
      this.position += named[0].length;
      return `(?P<${named[1]}>`;
    }
    if (rest.startsWith("(?<")) throw new Unsupported("the group name is not one RE2 accepts");
    if (rest.startsWith("(?:")) {
      this.position += 3;
      return "(?:";
    }
    if (rest.startsWith("(?")) throw new Unsupported(`the group syntax ${rest.slice(0, 4)} is not supported`);
    this.position++;
    return "(";
  }

  /** A quantifier `{n}`, `{n,}`, `{n,m}` as it is; any other brace is a literal (Annex B). */
  private braces(): string {
    const quantifier = /^\{(\d+)(?:,(\d*))?\}/.exec(this.pattern.slice(this.position));
    if (!quantifier) {
      this.position++;
      return "\\{";
    }
    this.position += quantifier[0].length;
    for (const bound of [quantifier[1], quantifier[2]]) {
      if (bound && Number(bound) > MAX_REPEAT) throw new Unsupported(`a repetition count above ${MAX_REPEAT} (${quantifier[0]})`);
    }
    return quantifier[0];
  }

  private escapeOutsideClass(): string {
    const next = this.pattern[this.position + 1];
    if (next === "b" || next === "B") {
      // Word boundaries: ASCII word characters in both engines.
      this.position += 2;
      return `\\${next}`;
    }
    const atom = this.escape(false);
    return atom.kind === "char" ? literal(atom.code) : `[${atom.re2}]`;
  }

  private characterClass(): string {
    this.position++; // [
    const negated = this.pattern[this.position] === "^";
    if (negated) this.position++;
    const atoms: (ClassAtom | "-")[] = [];
    while (this.position < this.pattern.length && this.pattern[this.position] !== "]") {
      const char = this.pattern[this.position]!;
      if (char === "\\") {
        atoms.push(this.escape(true));
      } else if (char === "-") {
        this.position++;
        atoms.push("-");
      } else {
        const code = this.pattern.codePointAt(this.position)!;
        this.position += code > 0xffff ? 2 : 1;
        atoms.push({ kind: "char", code });
      }
    }
    this.position++; // ]
    let body = "";
    for (let i = 0; i < atoms.length; i++) {
      const atom = atoms[i]!;
      const to = atoms[i + 2];
      if (atom !== "-" && atom.kind === "char" && atoms[i + 1] === "-" && to !== undefined && to !== "-" && to.kind === "char") {
        body += `${hex(atom.code)}-${hex(to.code)}`;
        i += 2;
      } else if (atom === "-") {
        body += "\\-"; // a dash beside a class escape or at an end is literal (Annex B)
      } else {
        body += atom.kind === "char" ? hex(atom.code) : atom.re2;
      }
    }
    // `[]` matches nothing and `[^]` anything; RE2 has no empty class, so spell both out.
    if (body === "") return negated ? `[${rangesText([[0, MAX_CODE_POINT]])}]` : `[^${rangesText([[0, MAX_CODE_POINT]])}]`;
    return `[${negated ? "^" : ""}${body}]`;
  }

  /** One escape at `position` (the backslash): a code point or a set in class syntax. */
  private escape(inClass: boolean): ClassAtom {
    const char = this.pattern[this.position + 1];
    this.position += 2;
    switch (char) {
      case "d":
        return set(DIGITS);
      case "D":
        return set(complement(DIGITS));
      case "w":
        return set(WORD);
      case "W":
        return set(complement(WORD));
      case "s":
        return set(WHITESPACE);
      case "S":
        return set(complement(WHITESPACE));
      case "t":
        return { kind: "char", code: 0x09 };
      case "n":
        return { kind: "char", code: 0x0a };
      case "v":
        return { kind: "char", code: 0x0b };
      case "f":
        return { kind: "char", code: 0x0c };
      case "r":
        return { kind: "char", code: 0x0d };
      case "b":
        return { kind: "char", code: 0x08 }; // backspace, inside a class only
      case "p":
      case "P":
        return this.property(char === "P");
      case "c":
        return this.control();
      case "x":
        return this.hexEscape(2) ?? { kind: "char", code: 0x78 };
      case "u":
        return this.unicodeEscape();
      case "k":
        if (this.pattern[this.position] === "<") throw new Unsupported("a backreference (\\k<name>) cannot run in linear time");
        return { kind: "char", code: 0x6b };
      case "0":
        if (!/[0-9]/.test(this.pattern[this.position] ?? "")) return { kind: "char", code: 0 };
        throw new Unsupported("an octal escape or backreference cannot run in linear time");
      case undefined:
        throw new Unsupported("a trailing backslash");
      default:
        if (/[1-9]/.test(char)) throw new Unsupported(inClass ? "an octal escape is not supported" : "a backreference cannot run in linear time");
        return this.identityEscape();
    }
  }

  /** The escaped character itself (`\/`, `\-`, `\.`, and Annex B's `\_`); `position` is just past its first code unit. */
  private identityEscape(): ClassAtom {
    const code = this.pattern.codePointAt(this.position - 1)!;
    if (code > 0xffff) this.position++;
    return { kind: "char", code };
  }

  /** `\p{L}`, `\p{Script=Greek}`, `\p{General_Category=Letter}` → RE2's `\p{L}`, `\p{Greek}`. */
  private property(negated: boolean): ClassAtom {
    const match = /^\{([A-Za-z_]+)(?:=([A-Za-z_]+))?\}/.exec(this.pattern.slice(this.position));
    if (!match) return { kind: "char", code: negated ? 0x50 : 0x70 }; // Annex B: `\p` is a literal p
    this.position += match[0].length;
    const [, name, value] = match as unknown as [string, string, string | undefined];
    let re2Name: string;
    if (value === undefined) re2Name = GENERAL_CATEGORIES[name] ?? name;
    else if (name === "Script" || name === "sc") re2Name = value;
    else if (name === "General_Category" || name === "gc") re2Name = GENERAL_CATEGORIES[value] ?? value;
    else throw new Unsupported(`the Unicode property ${name}=${value} is not supported`);
    return { kind: "set", re2: `\\${negated ? "P" : "p"}{${re2Name}}` };
  }

  private control(): ClassAtom {
    const letter = this.pattern[this.position];
    if (letter === undefined || !/[A-Za-z]/.test(letter)) throw new Unsupported("\\c without a control letter is not supported");
    this.position++;
    return { kind: "char", code: letter.charCodeAt(0) % 32 };
  }

  private hexEscape(digits: number): ClassAtom | null {
    const text = this.pattern.slice(this.position, this.position + digits);
    if (text.length !== digits || !/^[0-9A-Fa-f]+$/.test(text)) return null;
    this.position += digits;
    return { kind: "char", code: parseInt(text, 16) };
  }

  /** `\u{1F600}`, `\uD83D\uDE00` (a surrogate pair is one code point), `\u00e9`; a lone surrogate cannot match a code point. */
  private unicodeEscape(): ClassAtom {
    const braced = /^\{([0-9A-Fa-f]{1,6})\}/.exec(this.pattern.slice(this.position));
    if (braced) {
      this.position += braced[0].length;
      const code = parseInt(braced[1]!, 16);
      if (code > MAX_CODE_POINT) throw new Unsupported(`\\u{${braced[1]}} is beyond Unicode`);
      return surrogateChecked(code);
    }
    const unit = this.hexEscape(4);
    if (!unit || unit.kind !== "char") return { kind: "char", code: 0x75 };
    if (unit.code >= 0xd800 && unit.code <= 0xdbff && this.pattern.startsWith("\\u", this.position)) {
      const low = /^\\u(D[C-F][0-9A-F]{2})/i.exec(this.pattern.slice(this.position));
      if (low) {
        this.position += 6;
        return { kind: "char", code: 0x10000 + ((unit.code - 0xd800) << 10) + (parseInt(low[1]!, 16) - 0xdc00) };
      }
    }
    return surrogateChecked(unit.code);
  }
}

/** ECMA-262 long General_Category names (§22.2.2.9, UCD PropertyValueAliases) → RE2's short ones. */
const GENERAL_CATEGORIES: Record<string, string> = {
  Letter: "L",
  Uppercase_Letter: "Lu",
  Lowercase_Letter: "Ll",
  Titlecase_Letter: "Lt",
  Modifier_Letter: "Lm",
  Other_Letter: "Lo",
  Mark: "M",
  Combining_Mark: "M",
  Nonspacing_Mark: "Mn",
  Spacing_Mark: "Mc",
  Enclosing_Mark: "Me",
  Number: "N",
  Decimal_Number: "Nd",
  digit: "Nd",
  Letter_Number: "Nl",
  Other_Number: "No",
  Punctuation: "P",
  punct: "P",
  Connector_Punctuation: "Pc",
  Dash_Punctuation: "Pd",
  Open_Punctuation: "Ps",
  Close_Punctuation: "Pe",
  Initial_Punctuation: "Pi",
  Final_Punctuation: "Pf",
  Other_Punctuation: "Po",
  Symbol: "S",
  Math_Symbol: "Sm",
  Currency_Symbol: "Sc",
  Modifier_Symbol: "Sk",
  Other_Symbol: "So",
  Separator: "Z",
  Space_Separator: "Zs",
  Line_Separator: "Zl",
  Paragraph_Separator: "Zp",
  Other: "C",
  Control: "Cc",
  cntrl: "Cc",
  Format: "Cf",
  Private_Use: "Co",
};

function surrogateChecked(code: number): ClassAtom {
  if (code >= 0xd800 && code <= 0xdfff) throw new Unsupported("a lone surrogate cannot match text read as code points");
  return { kind: "char", code };
}

function set(ranges: Range[]): ClassAtom {
  return { kind: "set", re2: rangesText(ranges) };
}

function complement(ranges: Range[]): Range[] {
  const result: Range[] = [];
  let next = 0;
  for (const [from, to] of ranges) {
    if (from > next) result.push([next, from - 1]);
    next = to + 1;
  }
  if (next <= MAX_CODE_POINT) result.push([next, MAX_CODE_POINT]);
  return result;
}

function rangesText(ranges: Range[]): string {
  return ranges.map(([from, to]) => (from === to ? hex(from) : `${hex(from)}-${hex(to)}`)).join("");
}

function hex(code: number): string {
  return `\\x{${code.toString(16)}}`;
}

/** Letters and digits as they are (readable, and RE2 gives them no meaning); everything else escaped by code point. */
function literal(code: number): string {
  return /^[A-Za-z0-9 ]$/.test(String.fromCodePoint(code)) ? String.fromCodePoint(code) : hex(code);
}
