// A documentation site rendered from an integration definition (itself imported from a real
// spec), in the layouts real API docs use, so that what a scraper should find is known exactly.
// Used by the crawler's tests (src/importer/crawl/site.test.ts) and benchmarks/crawl.mjs.
//
//   slate    one long page with anchors: curl example, "HTTP Request" line with <placeholders>,
//            "Query Parameters" / "URL Parameters" / "Body Parameters" tables (Slate's kittn layout)
//   pages    an index stating the base URL, one page per endpoint ("GET /path/{id}", a
//            Name | In | Type | Required | Description table), an authentication page
//   readme   ReadMe-like: method badge and absolute URL, "Path Params" / "Query Params" /
//            "Body Params" lists (not tables), a `curl --request … --url …` example

export const STYLES = ["slate", "pages", "readme"];

/**
 * @param {any} definition an IntegrationDefinition
 * @param {"slate" | "pages" | "readme"} style
 * @returns {{ pages: Record<string, string>, start: string, truth: Truth }}
 */
export function renderDocsSite(definition, style) {
  const truth = truthOf(definition);
  const render = { slate: slateSite, pages: pagesSite, readme: readmeSite }[style];
  if (!render) throw new Error(`unknown docs style ${style}`);
  return { ...render(definition, truth), truth };
}

/**
 * @typedef {{ method: string, path: string, path_params: string[], query: string[], body: string[] }} TruthAction
 * @typedef {{ baseUrl: string, auth: { type: string, name?: string, in?: string }, actions: TruthAction[] }} Truth
 */

/** What the docs document: every action's method, full path, and parameter names by location. */
export function truthOf(definition) {
  const actions = definition.actions.map((action) => {
    const properties = action.inputSchema?.properties ?? {};
    const names = (where) => Object.entries(properties).filter(([, schema]) => schema["x-waygate-in"] === where && !schema["x-waygate-content-type"]).map(([name]) => name);
    return { method: action.method, path: action.path, path_params: names("path"), query: names("query"), body: names("body") };
  });
  const scheme = definition.authSchemes[0] ?? { type: "bearer" };
  return { baseUrl: definition.baseUrl, auth: scheme.type === "apiKey" ? { type: "apiKey", name: scheme.name, in: scheme.in } : { type: scheme.type }, actions };
}

const escape = (text) => String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const page = (title, body, nav = "") =>
  `<!doctype html><html><head><meta charset="utf-8"><title>${escape(title)}</title></head><body><nav>${nav}</nav><main>${body}</main><footer><p>© Example Inc.</p></footer></body></html>`;

function schemaOf(action, name) {
  return action.inputSchema?.properties?.[name] ?? {};
}
function typeOf(schema) {
  return Array.isArray(schema.type) ? schema.type[0] : (schema.type ?? "string");
}
function describe(schema) {
  return escape((schema.description ?? "").split("\n")[0].slice(0, 200));
}
function exampleValue(schema) {
  const type = typeOf(schema);
  return type === "integer" || type === "number" ? 42 : type === "boolean" ? true : "octocat";
}
/** The path with example values, as a curl example writes it. */
function examplePath(action) {
  return action.path.replace(/\{([^}]+)\}/g, (_m, name) => String(exampleValue(schemaOf(action, name))));
}
function exampleQuery(action, truthAction) {
  const first = truthAction.query[0];
  return first ? `?${first}=${encodeURIComponent(String(exampleValue(schemaOf(action, first))))}` : "";
}
function exampleBody(action, truthAction) {
  if (truthAction.body.length === 0) return undefined;
  return JSON.stringify(Object.fromEntries(truthAction.body.slice(0, 3).map((name) => [name, exampleValue(schemaOf(action, name))])));
}
function required(action, name) {
  return (action.inputSchema?.required ?? []).includes(name);
}

/** How the docs tell you to authenticate: the header (or query parameter) and an example value. */
function authHeader(auth) {
  if (auth.type === "apiKey" && auth.in === "header") return `${auth.name}: YOUR_API_KEY`;
  if (auth.type === "basic") return "Authorization: Basic BASE64(username:password)";
  return "Authorization: Bearer YOUR_TOKEN";
}
function authProse(auth) {
  const how =
    auth.type === "apiKey" && auth.in === "query"
      ? `<p>Pass your API key as the <code>${escape(auth.name)}</code> query parameter: <code>?${escape(auth.name)}=YOUR_API_KEY</code>.</p>`
      : `<p>Every request must authenticate. Send this header with each request:</p><pre><code>${escape(authHeader(auth))}</code></pre>`;
  return `<h1 id="authentication">Authentication</h1><p>Keep your credentials secret; create them in the dashboard.</p>${how}`;
}
function curlAuth(auth) {
  return auth.type === "apiKey" && auth.in === "query" ? "" : ` \\\n  -H "${authHeader(auth)}"`;
}
function slug(action) {
  return action.name.replace(/[^A-Za-z0-9]+/g, "-").toLowerCase();
}
function table(header, rows) {
  return `<table><thead><tr>${header.map((cell) => `<th>${cell}</th>`).join("")}</tr></thead><tbody>${rows.map((row) => `<tr>${row.map((cell) => `<td>${cell}</td>`).join("")}</tr>`).join("")}</tbody></table>`;
}

function slateSite(definition, truth) {
  const sections = definition.actions.map((action, index) => {
    const t = truth.actions[index];
    const body = exampleBody(action, t);
    const url = definition.baseUrl + examplePath(action) + exampleQuery(action, t);
    const curl = `curl "${url}"${action.method === "GET" ? "" : ` \\\n  -X ${action.method}`}${curlAuth(truth.auth)}${body ? ` \\\n  -d '${body}'` : ""}`;
    const template = definition.baseUrl + action.path.replace(/\{([^}]+)\}/g, "<$1>");
    let html = `<h2 id="${slug(action)}">${escape(action.summary ?? action.name)}</h2><pre class="highlight shell"><code>${escape(curl)}</code></pre>`;
    html += `<p>${describe(action)}</p><h3>HTTP Request</h3><p><code>${action.method} ${escape(template)}</code></p>`;
    if (t.query.length) html += `<h3>Query Parameters</h3>${table(["Parameter", "Default", "Description"], t.query.map((n) => [escape(n), "", describe(schemaOf(action, n))]))}`;
    if (t.path_params.length) html += `<h3>URL Parameters</h3>${table(["Parameter", "Description"], t.path_params.map((n) => [escape(n), describe(schemaOf(action, n))]))}`;
    if (t.body.length) html += `<h3>Body Parameters</h3>${table(["Parameter", "Type", "Required", "Description"], t.body.map((n) => [escape(n), typeOf(schemaOf(action, n)), required(action, n) ? "true" : "false", describe(schemaOf(action, n))]))}`;
    return html;
  });
  const toc = definition.actions.map((action) => `<a href="#${slug(action)}">${escape(action.summary ?? action.name)}</a>`).join("");
  const body = `<h1 id="introduction">Introduction</h1><p>Welcome to the ${escape(definition.name)} API.</p>${authProse(truth.auth)}${sections.join("")}`;
  return { pages: { "/docs/": page(`${definition.name} API Reference`, body, toc) }, start: "/docs/" };
}

function pagesSite(definition, truth) {
  const pages = {};
  const href = (action) => `/reference/${slug(action)}.html`;
  const nav = `<a href="/reference/">Overview</a><a href="/reference/authentication.html">Authentication</a>${definition.actions.map((action) => `<a href="${href(action)}">${escape(action.summary ?? action.name)}</a>`).join("")}<a href="https://status.example.com/">Status</a>`;
  pages["/reference/"] = page(`${definition.name} API`, `<h1>${escape(definition.name)} API</h1><p>Base URL: ${escape(definition.baseUrl)}</p><p>All requests and responses are JSON.</p>`, nav);
  pages["/reference/authentication.html"] = page("Authentication", authProse(truth.auth), nav);
  definition.actions.forEach((action, index) => {
    const t = truth.actions[index];
    const rows = [...t.path_params.map((n) => [n, "path"]), ...t.query.map((n) => [n, "query"])].map(([n, where]) => [escape(n), where, typeOf(schemaOf(action, n)), where === "path" || required(action, n) ? "Yes" : "No", describe(schemaOf(action, n))]);
    let html = `<h1>${escape(action.summary ?? action.name)}</h1><div class="endpoint"><span class="method">${action.method}</span> <code>${escape(action.path)}</code></div><p>${describe(action)}</p>`;
    if (rows.length) html += `<h2>Parameters</h2>${table(["Name", "In", "Type", "Required", "Description"], rows)}`;
    if (t.body.length) html += `<h2>Request body</h2>${table(["Field", "Type", "Required", "Description"], t.body.map((n) => [escape(n), typeOf(schemaOf(action, n)), required(action, n) ? "Yes" : "No", describe(schemaOf(action, n))]))}`;
    const body = exampleBody(action, t);
    html += `<h2>Example</h2><pre><code>${escape(`curl -X ${action.method} "${definition.baseUrl}${examplePath(action)}"${curlAuth(truth.auth)}${body ? ` \\\n  -d '${body}'` : ""}`)}</code></pre>`;
    pages[href(action)] = page(action.summary ?? action.name, html, nav);
  });
  return { pages, start: "/reference/" };
}

function readmeSite(definition, truth) {
  const pages = {};
  const href = (action) => `/reference/${slug(action)}`;
  const nav = `<a href="/reference/">Getting started</a><a href="/reference/authentication">Authentication</a>${definition.actions.map((action) => `<a href="${href(action)}"><span class="rm-method">${action.method.toLowerCase()}</span>${escape(action.summary ?? action.name)}</a>`).join("")}`;
  pages["/reference/"] = page(`${definition.name}`, `<h1>Getting started</h1><p>Make your first request in minutes.</p><a href="/changelog">Changelog</a>`, nav);
  pages["/reference/authentication"] = page("Authentication", authProse(truth.auth), nav);
  const params = (action, title, names) =>
    names.length === 0
      ? ""
      : `<h2>${title}</h2>${names.map((n) => `<div class="rm-Param"><div class="rm-Param-header"><span class="rm-Param-name">${escape(n)}</span> <span class="rm-Param-type">${typeOf(schemaOf(action, n))}</span>${required(action, n) || title.startsWith("Path") ? ' <span class="rm-Param-required">required</span>' : ""}</div><div class="rm-Param-description">${describe(schemaOf(action, n))}</div></div>`).join("")}`;
  definition.actions.forEach((action, index) => {
    const t = truth.actions[index];
    const body = exampleBody(action, t);
    const curl = `curl --request ${action.method} \\\n     --url ${definition.baseUrl}${examplePath(action)}${exampleQuery(action, t)} \\\n     --header 'accept: application/json'${truth.auth.type === "apiKey" && truth.auth.in === "query" ? "" : ` \\\n     --header '${authHeader(truth.auth)}'`}${body ? ` \\\n     --data '${body}'` : ""}`;
    let html = `<header><h1>${escape(action.summary ?? action.name)}</h1><div class="rm-Endpoint"><span class="HTTPMethod">${action.method}</span> <span class="rm-URL">${escape(definition.baseUrl + action.path)}</span></div></header><p>${describe(action)}</p>`;
    html += params(action, "Path Params", t.path_params) + params(action, "Query Params", t.query) + params(action, "Body Params", t.body);
    html += `<section class="rm-Playground"><h3>Request</h3><pre><code>${escape(curl)}</code></pre></section>`;
    pages[href(action)] = page(action.summary ?? action.name, html, nav);
  });
  return { pages, start: "/reference/" };
}

/**
 * Recall and precision of a scraped definition against the truth: endpoints (method + path
 * template, placeholders compared by position), parameters (by location and name; path
 * parameters by count, as an example value cannot tell a name) and the auth scheme.
 */
export function score(definition, truth) {
  const key = (method, path) => `${method} ${path.replace(/\{[^}]*\}/g, "{}")}`;
  const base = new URL(truth.baseUrl).pathname.replace(/\/+$/, "");
  const scrapedBase = new URL(definition.baseUrl).pathname.replace(/\/+$/, "");
  const expected = new Map(truth.actions.map((action) => [key(action.method, base + action.path), action]));
  const found = new Map(definition.actions.map((action) => [key(action.method, scrapedBase + action.path), action]));
  let matched = 0;
  let paramsExpected = 0;
  let paramsFound = 0;
  let paramsRight = 0;
  for (const [k, want] of expected) {
    const got = found.get(k);
    const wanted = [...want.query.map((n) => `query:${n}`), ...want.body.map((n) => `body:${n}`)];
    paramsExpected += wanted.length + want.path_params.length;
    if (!got) continue;
    matched++;
    const properties = got.inputSchema?.properties ?? {};
    const have = Object.entries(properties).map(([name, schema]) => `${schema["x-waygate-in"]}:${name}`);
    const havePath = have.filter((entry) => entry.startsWith("path:")).length;
    const haveOther = have.filter((entry) => !entry.startsWith("path:") && !entry.startsWith("header:"));
    paramsFound += haveOther.length + havePath;
    paramsRight += wanted.filter((entry) => haveOther.includes(entry)).length + Math.min(havePath, want.path_params.length);
  }
  const extra = [...found.keys()].filter((k) => !expected.has(k)).length;
  for (const [k, got] of found) if (!expected.has(k)) paramsFound += Object.keys(got.inputSchema?.properties ?? {}).length;
  const scheme = definition.authSchemes[0];
  const authRight = scheme !== undefined && scheme.type === truth.auth.type && (scheme.type !== "apiKey" || (scheme.name.toLowerCase() === truth.auth.name.toLowerCase() && scheme.in === truth.auth.in));
  return {
    endpoints: expected.size,
    endpointRecall: matched / expected.size,
    endpointPrecision: found.size === 0 ? 0 : (found.size - extra) / found.size,
    paramRecall: paramsExpected === 0 ? 1 : paramsRight / paramsExpected,
    paramPrecision: paramsFound === 0 ? 1 : paramsRight / paramsFound,
    authRight,
  };
}
