// Node 18+ (or any runtime with fetch), no packages to install.
// WAYGATE_API_KEY: an app key, or a tenant key; WAYGATE_APP names the app a tenant key acts for.
{{#app}}
const app = process.env.WAYGATE_APP || {{app}};
{{/app}}
{{^app}}
const app = process.env.WAYGATE_APP; // required with a tenant key
{{/app}}
const headers = {
  authorization: `Bearer ${process.env.WAYGATE_API_KEY}`,
  "content-type": "application/json",
  accept: "application/json",
  "x-waygate-expected-version": {{version}},
  ...(app ? { "x-waygate-app": app } : {}),
};
const body = {
  input: {{input}},
  connection: "user_42",
};

{{^paginated}}
const response = await fetch({{url}}, { method: "POST", headers, body: JSON.stringify(body) });
if (!response.ok) throw new Error(`Waygate answered ${response.status}: ${await response.text()}`);
console.log(response.headers.get("content-type")?.includes("json") ? await response.json() : await response.text());
{{/paginated}}
{{#paginated}}
// One request per page; each answer names the next page in x-waygate-next-page, until the last.
let page = null;
do {
  const response = await fetch({{url}}, { method: "POST", headers, body: JSON.stringify(page ? { ...body, page } : body) });
  if (!response.ok) throw new Error(`Waygate answered ${response.status}: ${await response.text()}`);
  console.log(await response.json());
  page = response.headers.get("x-waygate-next-page");
} while (page);
{{/paginated}}
