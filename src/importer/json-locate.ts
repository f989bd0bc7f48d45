/**
 * Finds where JSON text stops being valid (RFC 8259), for error messages only: V8's
 * `JSON.parse` errors do not always carry a position. Iterative, so deep nesting is safe.
 * Returns the offset of the first offending character (text.length for a premature end).
 */
export function findJsonErrorOffset(text: string): number {
  let i = 0;
  const n = text.length;
  // What the parser expects next inside each open container.
  const stack: ("obj-key" | "obj-colon" | "obj-value" | "obj-next" | "arr-value" | "arr-first" | "arr-next")[] = [];
  const ws = () => {
    while (i < n && (text[i] === " " || text[i] === "\t" || text[i] === "\n" || text[i] === "\r")) i++;
  };
  const string = (): boolean => {
    i++; // opening quote
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return true;
      }
      if (c < 0x20) return false;
      if (c === 0x5c) {
        const e = text[i + 1];
        if (e === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) return false;
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else {
          i++;
          return false;
        }
      } else i++;
    }
    return false;
  };
  const scalar = (): boolean => {
    const rest = text.slice(i, i + 5);
    for (const word of ["true", "false", "null"]) {
      if (rest.startsWith(word)) {
        i += word.length;
        return true;
      }
    }
    const match = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(i, i + 400));
    if (!match || match[0].length === 0 || match[0] === "-") return false;
    i += match[0].length;
    return true;
  };
  /** Parses one value start; pushes a container or consumes a scalar. */
  const value = (): boolean => {
    const c = text[i];
    if (c === "{") {
      i++;
      stack.push("obj-key");
      return true;
    }
    if (c === "[") {
      i++;
      stack.push("arr-first");
      return true;
    }
    if (c === '"') return string();
    return scalar();
  };
  const afterValue = () => {
    const top = stack.length - 1;
    if (top < 0) return;
    stack[top] = stack[top] === "obj-value" ? "obj-next" : "arr-next";
  };

  ws();
  if (i >= n) return i;
  if (!value()) return i;
  if (stack.length === 0) {
    ws();
    return i < n ? i : -1;
  }
  for (;;) {
    ws();
    if (i >= n) return n;
    const state = stack[stack.length - 1];
    if (state === undefined) {
      return i < n ? i : -1;
    }
    const c = text[i];
    switch (state) {
      case "obj-key":
        if (c === "}") {
          i++;
          stack.pop();
          afterValue();
          break;
        }
        if (c !== '"' || !string()) return i;
        stack[stack.length - 1] = "obj-colon";
        break;
      case "obj-next":
        if (c === "}") {
          i++;
          stack.pop();
          afterValue();
          break;
        }
        if (c !== ",") return i;
        i++;
        ws();
        if (text[i] !== '"' || !string()) return i;
        stack[stack.length - 1] = "obj-colon";
        break;
      case "obj-colon":
        if (c !== ":") return i;
        i++;
        ws();
        if (i >= n) return n;
        stack[stack.length - 1] = "obj-value";
        if (!value()) return i;
        if (stack[stack.length - 1] === "obj-value") afterValue();
        break;
      case "arr-first":
      case "arr-next":
        if (c === "]") {
          i++;
          stack.pop();
          afterValue();
          break;
        }
        if (state === "arr-next") {
          if (c !== ",") return i;
          i++;
          ws();
          if (i >= n) return n;
        }
        stack[stack.length - 1] = "arr-value";
        if (!value()) return i;
        if (stack[stack.length - 1] === "arr-value") afterValue();
        break;
      case "obj-value":
      case "arr-value":
        afterValue();
        break;
    }
    if (stack.length === 0) {
      ws();
      return i < n ? i : -1;
    }
  }
}

/** 1-based line and column of `offset` in `text`. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}
