import { describe, expect, it } from "vitest";
import { displayUrl, splitUrlCredentials } from "./url-credentials.js";

describe("credentials in URLs", () => {
  it.each([
    ["https://docs.example.com/openapi.yaml", "https://docs.example.com/openapi.yaml"],
    ["https://reader:s3cret@docs.example.com/openapi.yaml", "https://docs.example.com/openapi.yaml"],
    ["https://docs.example.com/spec.json?access_token=abc123&v=2", "https://docs.example.com/spec.json?access_token=[redacted]&v=2"],
    ["https://docs.example.com/spec.json?api_key=k&key=k2&token=t&Signature=s&X-Amz-Credential=c", "https://docs.example.com/spec.json?api_key=[redacted]&key=[redacted]&token=[redacted]&Signature=[redacted]&X-Amz-Credential=[redacted]"],
    ["https://docs.example.com/spec.json?version=2&format=yaml", "https://docs.example.com/spec.json?version=2&format=yaml"],
    ["not a url", "not a url"],
  ])("shows %s as %s", (raw, shown) => {
    expect(displayUrl(raw)).toBe(shown);
  });

  it("keeps what the fetch needs apart from what may be shown", () => {
    const split = splitUrlCredentials("https://us%40er:p%40ss@docs.example.com/openapi.yaml?access_token=tok%2B1&page=2");
    expect(split).toEqual({
      url: "https://docs.example.com/openapi.yaml?access_token=tok%2B1&page=2",
      display: "https://docs.example.com/openapi.yaml?access_token=[redacted]&page=2",
      basic: { username: "us@er", password: "p@ss" },
      secrets: ["us%40er", "p%40ss", "us@er", "p@ss", "tok%2B1", "tok+1"],
    });
  });
});
