/**
 * RFC 6901 JSON Pointers over parsed JSON. Segments that name an object's prototype
 * machinery are refused outright, so a mapping can never reach (or create) anything but
 * the document's own data (prototype pollution).
 */

const FORBIDDEN = new Set(["__proto__", "constructor", "prototype"]);

export class PointerError extends Error {
  override readonly name = "PointerError";
}

/** Splits and unescapes a pointer (§3, §4: `~1` → `/` before `~0` → `~`). "" is the whole document. */
export function parsePointer(pointer: string): string[] {
  if (pointer === "") return [];
  if (!pointer.startsWith("/")) throw new PointerError(`"${pointer}" is not a JSON pointer: it must be empty or start with "/"`);
  return pointer
    .slice(1)
    .split("/")
    .map((raw) => {
      if (/~[^01]|~$/.test(raw)) throw new PointerError(`"${pointer}" has an invalid escape (only ~0 and ~1 are allowed)`);
      const segment = raw.replace(/~1/g, "/").replace(/~0/g, "~");
      if (FORBIDDEN.has(segment)) throw new PointerError(`"${pointer}" names "${segment}", which is refused`);
      return segment;
    });
}

function isContainer(value: unknown): value is Record<string, unknown> | unknown[] {
  return typeof value === "object" && value !== null;
}

/** §4 array index: "0" or a number without leading zeros. */
function arrayIndex(segment: string): number | null {
  return /^(0|[1-9][0-9]*)$/.test(segment) ? Number(segment) : null;
}

function child(value: unknown, segment: string): unknown {
  if (Array.isArray(value)) {
    const index = arrayIndex(segment);
    return index === null ? undefined : value[index];
  }
  if (isContainer(value) && Object.hasOwn(value, segment)) return (value as Record<string, unknown>)[segment];
  return undefined;
}

/** The value at `pointer`, or undefined when any step is missing. */
export function getAt(document: unknown, pointer: string | string[]): unknown {
  const segments = typeof pointer === "string" ? parsePointer(pointer) : pointer;
  let current = document;
  for (const segment of segments) {
    current = child(current, segment);
    if (current === undefined) return undefined;
  }
  return current;
}

/** Removes the value at `segments` (non-empty) and returns it; undefined when absent. */
export function removeAt(document: unknown, segments: string[]): unknown {
  const parent = getAt(document, segments.slice(0, -1));
  const last = segments[segments.length - 1]!;
  if (Array.isArray(parent)) {
    const index = arrayIndex(last);
    if (index === null || index >= parent.length) return undefined;
    return parent.splice(index, 1)[0];
  }
  if (!isContainer(parent) || !Object.hasOwn(parent, last)) return undefined;
  const value = (parent as Record<string, unknown>)[last];
  delete (parent as Record<string, unknown>)[last];
  return value;
}

/**
 * Sets `value` at `segments` (non-empty), creating missing objects on the way. In an
 * array, `-` appends (the "nonexistent member after the last", §4; as JSON Patch `add`).
 */
export function setAt(document: unknown, segments: string[], value: unknown): void {
  let current = document;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    const isLast = i === segments.length - 1;
    if (Array.isArray(current)) {
      const index = segment === "-" ? current.length : arrayIndex(segment);
      if (index === null || index > current.length) throw new PointerError(`cannot address array index "${segment}"`);
      if (isLast) {
        current[index] = value;
        return;
      }
      if (!isContainer(current[index])) current[index] = {};
      current = current[index];
    } else if (isContainer(current)) {
      const record = current as Record<string, unknown>;
      if (isLast) {
        // defineProperty, not assignment: never invokes a setter, even for odd keys.
        Object.defineProperty(record, segment, { value, writable: true, enumerable: true, configurable: true });
        return;
      }
      if (!Object.hasOwn(record, segment) || !isContainer(record[segment])) setAt(record, [segment], {});
      current = record[segment];
    } else {
      throw new PointerError("cannot set a member of a scalar");
    }
  }
}
