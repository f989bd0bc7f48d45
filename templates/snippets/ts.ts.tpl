import { createWaygate } from "./waygate/index.js";

// WAYGATE_API_KEY: an app key, or a tenant key; WAYGATE_APP names the app a tenant key acts for.
const wg = createWaygate({
  apiKey: process.env.WAYGATE_API_KEY ?? "",
  baseUrl: process.env.WAYGATE_BASE_URL ?? {{baseUrl}},
{{#app}}
  app: process.env.WAYGATE_APP ?? {{app}},
{{/app}}
});

{{^paginated}}
const result = await wg.{{accessor}}({{input}}, { connection: "user_42" });
console.log(result);
{{/paginated}}
{{#paginated}}
// Every item of every page: the client asks for the next page as the loop needs it.
for await (const item of wg.{{accessor}}.paginate({{input}}, { connection: "user_42" })) {
  console.log(item);
}
{{/paginated}}
