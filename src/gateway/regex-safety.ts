/**
 * A cheap guard against ReDoS in schema `pattern`s: Ajv runs them with the backtracking
 * RegExp engine, so a hostile `(a+)+$` in an imported schema could pin the event loop on
 * one crafted input. Refused: patterns that do not parse, very long patterns, and a
 * quantified group that itself contains a quantifier (star height > 1), the classic
 * exponential shape. Overlapping alternations (`(a|a)*`) are not detected.
 */
const MAX_PATTERN_LENGTH = 1_000;

export function checkPattern(pattern: string): string | null {
  if (pattern.length > MAX_PATTERN_LENGTH) return `longer than ${MAX_PATTERN_LENGTH} characters`;
  try {
    new RegExp(pattern);
  } catch {
    return "not a valid regular expression";
  }
  return hasNestedQuantifier(pattern) ? "a repeated group contains a repetition (catastrophic backtracking)" : null;
}

function hasNestedQuantifier(pattern: string): boolean {
  // For each open group: does it contain a quantifier?
  const groups: boolean[] = [];
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i]!;
    if (char === "\\") {
      i++;
      continue;
    }
    if (inClass) {
      if (char === "]") inClass = false;
      continue;
    }
    if (char === "[") inClass = true;
    else if (char === "(") {
      groups.push(false);
      // Group syntax, not a quantifier: (?:  (?=  (?!  (?<=  (?<!  (?<name>
      const prefix = /^\?(?::|=|!|<=|<!|<[A-Za-z_$][\w$]*>)/.exec(pattern.slice(i + 1));
      if (prefix) i += prefix[0].length;
    }
    else if (char === ")") {
      const containsQuantifier = groups.pop() ?? false;
      const quantifier = quantifierAt(pattern, i + 1);
      if (containsQuantifier && quantifier !== null && quantifier.max > 10) return true;
      if ((containsQuantifier || isVariable(quantifier)) && groups.length > 0) groups[groups.length - 1] = true;
    } else if (groups.length > 0 && isVariable(quantifierAt(pattern, i))) {
      groups[groups.length - 1] = true;
    }
  }
  return false;
}

/** Repeats a varying number of times, more than once: `*`, `+`, `{2,5}` (not `?` or `{3}`). */
function isVariable(quantifier: { min: number; max: number } | null): boolean {
  return quantifier !== null && quantifier.max > quantifier.min && quantifier.max > 1;
}

/**
 * The repetition bounds of a quantifier at `index` (`*`, `+`, `?`, `{n}`, `{n,}`, `{n,m}`),
 * or null. A variable repetition inside a group repeated more than a few times is what
 * backtracks exponentially; `(\d{1,3}\.){3}` is bounded and fine.
 */
function quantifierAt(pattern: string, index: number): { min: number; max: number } | null {
  const char = pattern[index];
  if (char === "*") return { min: 0, max: Infinity };
  if (char === "+") return { min: 1, max: Infinity };
  if (char === "?") return { min: 0, max: 1 };
  if (char !== "{") return null;
  const match = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(index));
  if (!match) return null;
  const min = Number(match[1]);
  if (match[2] === undefined) return { min, max: min };
  return { min, max: match[3] === "" ? Infinity : Number(match[3]) };
}
