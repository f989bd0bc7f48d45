import type { App } from "../../../contract/index.js";
import type { IO } from "../../io.js";
import { details } from "../../output.js";

export function renderApp(app: App, io: IO): void {
  details(io, [
    ["App", app.name],
    ["Id", app.id],
    ["Active keys", app.keyCount],
    ["Pins", app.pinCount],
    ["Created", app.createdAt],
  ]);
}
