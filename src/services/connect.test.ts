import { describe, expect, it } from "vitest";
import { connectUrl, redirectAllowed } from "./connect.js";

describe("redirectAllowed: where a connect session may send the browser", () => {
  it.each([
    ["https://app.example.com/done", "https://app.example.com/done", true],
    ["https://app.example.com/done?x=1", "https://app.example.com/done", true],
    ["https://app.example.com/connect/github", "https://app.example.com/connect/", true],
    ["https://app.example.com/done-evil", "https://app.example.com/done", false],
    ["https://app.example.com/donex", "https://app.example.com/done", false],
    ["https://app.example.com.evil.net/done", "https://app.example.com/done", false],
    ["http://app.example.com/done", "https://app.example.com/done", false],
    ["https://app.example.com:8443/done", "https://app.example.com/done", false],
    ["https://user:pw@app.example.com/done", "https://app.example.com/done", false],
    ["https://app.example.com/other", "https://app.example.com/connect/", false],
  ])("%s against %s → %s", (url, entry, allowed) => {
    expect(redirectAllowed(url, entry)).toBe(allowed);
  });

  it("puts the token in the link's query, on the page path of the given origin", () => {
    expect(connectUrl("https://wg.example.com", "wgcs_abc")).toBe("https://wg.example.com/connect?token=wgcs_abc");
  });
});
