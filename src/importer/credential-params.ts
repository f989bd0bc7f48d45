import type { AuthScheme } from "../contract/integrations.js";
import type { ApiModel, OperationModel, ParamModel } from "./model.js";
import type { Warnings } from "./problem.js";
import { isRecord } from "./util.js";

/** Names under which APIs with bearer or OAuth 2 auth also accept the token as a parameter (RFC 6750 §2.3: `access_token`). */
const TOKEN_NAMES = new Set(["token", "access_token"]);
const CREDENTIAL_WORDS = /\b(auth|authentication|authorization|authorisation|credential|credentials|bearer|oauth|api[ _-]?key|access[ _-]token)\b/i;
const FORM_TYPES = new Set(["application/x-www-form-urlencoded", "multipart/form-data"]);

/**
 * Some documents declare the credential twice: as a security scheme and as a required
 * parameter on every operation (Slack's Web API: an OAuth 2 scheme and a `token` parameter
 * in the header, query or form body). The gateway already sends the connection's credential
 * where the scheme says, so such a parameter is removed from the operation: the action does
 * not ask its caller for a secret the connection holds.
 *
 * A parameter is the credential when it is
 * - exactly an apiKey scheme's parameter (same name and location; header names case-insensitive), or
 * - named `token` / `access_token` in the query, a header or a form body, while a bearer or
 *   OAuth 2 scheme is declared, and either described as a credential or present on at least
 *   half of the operations (a one-off `token` such as an e-mail confirmation token stays).
 */
export function hideCredentialParams(api: ApiModel, warnings: Warnings): void {
  const apiKeys = api.authSchemes.filter((scheme): scheme is Extract<AuthScheme, { type: "apiKey" }> => scheme.type === "apiKey");
  const tokenAuth = api.authSchemes.some((scheme) => scheme.type === "bearer" || scheme.type === "oauth2");
  if (apiKeys.length === 0 && !tokenAuth) return;

  const tokenCounts = new Map<string, number>();
  if (tokenAuth) {
    for (const op of api.operations) for (const where of tokenPlaces(op)) tokenCounts.set(where, (tokenCounts.get(where) ?? 0) + 1);
  }
  const frequent = (where: string) => (tokenCounts.get(where) ?? 0) * 2 >= api.operations.length && api.operations.length >= 2;
  const isApiKey = (param: ParamModel) => apiKeys.some((scheme) => scheme.in === param.in && (param.in === "header" ? scheme.name.toLowerCase() === param.name.toLowerCase() : scheme.name === param.name));
  const isToken = (name: string, where: string, description: string | undefined) =>
    tokenAuth && TOKEN_NAMES.has(name.toLowerCase()) && (CREDENTIAL_WORDS.test(description ?? "") || frequent(`${where} ${name.toLowerCase()}`));

  const hidden = new Map<string, number>();
  const note = (label: string) => hidden.set(label, (hidden.get(label) ?? 0) + 1);
  for (const op of api.operations) {
    op.params = op.params.filter((param) => {
      const credential = isApiKey(param) || ((param.in === "query" || param.in === "header") && isToken(param.name, param.in, param.description));
      if (credential) note(`${param.in} parameter "${param.name}"`);
      return !credential;
    });
    const field = formTokenField(op);
    if (field && isToken(field.name, "body", field.description)) {
      removeFormField(op, field.name);
      note(`form field "${field.name}"`);
    }
  }
  for (const [label, count] of hidden) {
    warnings.add("credential_parameter", `${label} on ${count} operation(s) is the credential of the declared security scheme: not an input; the connection supplies it`);
  }
}

/** "query token", "header access_token", "body token": where an operation takes a token-named value. */
function tokenPlaces(op: OperationModel): string[] {
  const places = op.params.filter((param) => (param.in === "query" || param.in === "header") && TOKEN_NAMES.has(param.name.toLowerCase())).map((param) => `${param.in} ${param.name.toLowerCase()}`);
  const field = formTokenField(op);
  if (field) places.push(`body ${field.name.toLowerCase()}`);
  return places;
}

/** A `token` field of an inline form body schema (Swagger 2.0 formData parameters always are inline). */
function formTokenField(op: OperationModel): { name: string; description: string | undefined } | null {
  const body = op.body;
  if (!body || !FORM_TYPES.has((body.contentType.split(";")[0] ?? "").trim().toLowerCase())) return null;
  const properties = isRecord(body.schema) && isRecord(body.schema["properties"]) ? body.schema["properties"] : null;
  if (!properties) return null;
  const name = Object.keys(properties).find((key) => TOKEN_NAMES.has(key.toLowerCase()));
  if (name === undefined) return null;
  const property = properties[name];
  return { name, description: isRecord(property) && typeof property["description"] === "string" ? property["description"] : undefined };
}

/** The body schema without `name`: a copy, since converted schemas may be shared. */
function removeFormField(op: OperationModel, name: string): void {
  const body = op.body!;
  const schema = body.schema as Record<string, unknown>;
  const properties = { ...(schema["properties"] as Record<string, unknown>) };
  delete properties[name];
  const next: Record<string, unknown> = { ...schema, properties };
  if (Array.isArray(schema["required"])) {
    const required = schema["required"].filter((entry) => entry !== name);
    if (required.length > 0) next["required"] = required;
    else delete next["required"];
  }
  const encoding = body.encoding ? { ...body.encoding } : undefined;
  if (encoding) delete encoding[name];
  // A body that held only the token is no body at all.
  op.body = Object.keys(properties).length === 0 ? null : { ...body, schema: next, required: body.required, encoding };
}
