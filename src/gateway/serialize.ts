/**
 * OpenAPI 3.1 parameter serialisation (§4.8.12.4, "Style Values" and "Style Examples").
 * Values are percent-encoded as RFC 3986 unreserved-only; the delimiters a style adds
 * (`,` `|` `.` `;` `=` `[` `]`) are left literal, as the examples in the spec show.
 */

export type Scalar = string | number | boolean | null;

/** RFC 3986 §2.3: everything but ALPHA / DIGIT / "-" / "." / "_" / "~" is encoded. */
export function encodeComponent(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());
}

export function scalarText(value: unknown): string {
  if (value === null) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return JSON.stringify(value);
}

function entries(value: object): [string, unknown][] {
  return Object.entries(value).filter(([, v]) => v !== undefined);
}

/**
 * Bracket notation for a deepObject property, the convention of Rails, PHP and Stripe
 * (`metadata[plan]=pro`, `items[0][price]=p_1`, `expand[0]=customer`): nested objects by
 * key, arrays by index, null as an empty value, undefined and empty containers left out. This is what
 * stripe-node sends: `qs.stringify(data)` with its default `arrayFormat: "indices"`.
 */
export function bracketPairs(name: string, value: unknown, out: [string, string][] = []): [string, string][] {
  if (value === undefined) return out;
  if (Array.isArray(value)) value.forEach((item, index) => bracketPairs(`${name}[${index}]`, item, out));
  else if (typeof value === "object" && value !== null && !(value instanceof Uint8Array)) {
    for (const [key, item] of Object.entries(value)) bracketPairs(`${name}[${key}]`, item, out);
  } else out.push([name, scalarText(value)]);
  return out;
}

/**
 * Query parameters as already-encoded `name=value` pairs. Styles: form (default, explode
 * default true), spaceDelimited, pipeDelimited, deepObject.
 */
export function serializeQuery(name: string, value: unknown, style = "form", explode = style === "form"): [string, string][] {
  const key = encodeComponent(name);
  if (Array.isArray(value)) {
    // deepObject arrays are undefined in OpenAPI; Stripe, the API that uses them, reads `expand[0]=a`.
    if (style === "deepObject") return deepObjectPairs(name, value);
    if (explode) return value.map((item) => [key, encodeComponent(scalarText(item))]);
    const delimiter = style === "spaceDelimited" ? "%20" : style === "pipeDelimited" ? "|" : ",";
    return [[key, value.map((item) => encodeComponent(scalarText(item))).join(delimiter)]];
  }
  if (typeof value === "object" && value !== null) {
    if (style === "deepObject") return deepObjectPairs(name, value);
    if (explode) return entries(value).map(([k, v]) => [encodeComponent(k), encodeComponent(scalarText(v))]);
    return [[key, entries(value).flatMap(([k, v]) => [encodeComponent(k), encodeComponent(scalarText(v))]).join(",")]];
  }
  return [[key, encodeComponent(scalarText(value))]];
}

/** bracketPairs, encoded: brackets literal (as the OpenAPI examples show them), everything else RFC 3986. */
function deepObjectPairs(name: string, value: unknown): [string, string][] {
  return bracketPairs(name, value).map(([key, text]) => [encodeComponent(key).replace(/%5B/g, "[").replace(/%5D/g, "]"), encodeComponent(text)]);
}

/** The raw (unencoded) pieces a path value is made of, for the segment checks in request.ts. */
export function pathPieces(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(scalarText);
  if (typeof value === "object" && value !== null) return entries(value).flatMap(([k, v]) => [k, scalarText(v)]);
  return [scalarText(value)];
}

/** A path template variable. Styles: simple (default), label, matrix; explode default false. */
export function serializePath(name: string, value: unknown, style = "simple", explode = false): string {
  const prefix = style === "label" ? "." : style === "matrix" ? `;${encodeComponent(name)}=` : "";
  const separator = style === "label" && explode ? "." : style === "matrix" && explode ? `;${encodeComponent(name)}=` : ",";
  if (Array.isArray(value)) return prefix + value.map((item) => encodeComponent(scalarText(item))).join(separator);
  if (typeof value === "object" && value !== null) {
    const pairs = entries(value);
    if (explode) {
      const joiner = style === "label" ? "." : style === "matrix" ? ";" : ",";
      const lead = style === "label" ? "." : style === "matrix" ? ";" : "";
      return lead + pairs.map(([k, v]) => `${encodeComponent(k)}=${encodeComponent(scalarText(v))}`).join(joiner);
    }
    return prefix + pairs.flatMap(([k, v]) => [encodeComponent(k), encodeComponent(scalarText(v))]).join(",");
  }
  return prefix + encodeComponent(scalarText(value));
}

/** Header values (style simple): arrays and objects comma-joined, nothing percent-encoded. */
export function serializeHeader(value: unknown, explode = false): string {
  if (Array.isArray(value)) return value.map(scalarText).join(",");
  if (typeof value === "object" && value !== null) return entries(value).map(([k, v]) => (explode ? `${k}=${scalarText(v)}` : `${k},${scalarText(v)}`)).join(",");
  return scalarText(value);
}
