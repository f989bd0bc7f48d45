import { createWaygate } from "./waygate/index.js";

const wg = createWaygate({ apiKey: process.env.WAYGATE_API_KEY ?? "" });

const result = await wg.{{accessor}}({{input}}, { connection: "user_42" });
console.log(result);
