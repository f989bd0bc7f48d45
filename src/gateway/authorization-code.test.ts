import { describe, expect, it } from "vitest";
import { normaliseTokenResponse } from "./authorization-code.js";

describe("normaliseTokenResponse: real providers' token answers as RFC 6749 §5 describes them", () => {
  it("passes a standard JSON answer through, with token_type in the case RFC 6750 uses", () => {
    const answer = normaliseTokenResponse(200, "application/json", JSON.stringify({ access_token: "a", token_type: "Bearer", expires_in: 3600, refresh_token: "r" }));
    expect(answer).toEqual({ status: 200, body: { access_token: "a", token_type: "bearer", expires_in: 3600, refresh_token: "r" } });
  });

  it("reads GitHub's form-encoded answer and its comma-free scope as given", () => {
    const answer = normaliseTokenResponse(200, "application/x-www-form-urlencoded; charset=utf-8", "access_token=gho_1&token_type=bearer&scope=repo%2Cuser");
    expect(answer).toEqual({ status: 200, body: { access_token: "gho_1", token_type: "bearer", scope: "repo,user" } });
  });

  it("turns Slack's `ok: false` with HTTP 200 into a 400 with its error, and nothing else", () => {
    expect(normaliseTokenResponse(200, "application/json", JSON.stringify({ ok: false, error: "invalid_code", warning: "x" }))).toEqual({ status: 400, body: { error: "invalid_code" } });
  });

  it("lifts Slack's user token out of authed_user, and calls its `user` token_type bearer", () => {
    const body = { ok: true, authed_user: { id: "U1", access_token: "xoxp-1", token_type: "user", scope: "chat:write" }, team: { id: "T1" } };
    expect(normaliseTokenResponse(200, "application/json", JSON.stringify(body))).toEqual({ status: 200, body: { id: "U1", access_token: "xoxp-1", token_type: "bearer", scope: "chat:write" } });
  });

  it("keeps a bot token at the top level over authed_user", () => {
    const body = { ok: true, access_token: "xoxb-1", token_type: "bot", authed_user: { id: "U1" } };
    expect(normaliseTokenResponse(200, "application/json", JSON.stringify(body)).body).toMatchObject({ access_token: "xoxb-1", token_type: "bearer" });
  });

  it("adds a missing token_type, reads a numeric-string expires_in and drops an unusable one", () => {
    expect(normaliseTokenResponse(200, "application/json", JSON.stringify({ access_token: "a", expires_in: "7200" })).body).toEqual({ access_token: "a", token_type: "bearer", expires_in: 7200 });
    expect(normaliseTokenResponse(200, "application/json", JSON.stringify({ access_token: "a", expires_in: "soon" })).body).toEqual({ access_token: "a", token_type: "bearer" });
  });

  it("keeps an error answer an error, also one sent with 200", () => {
    expect(normaliseTokenResponse(400, "application/json", JSON.stringify({ error: "invalid_grant" }))).toEqual({ status: 400, body: { error: "invalid_grant" } });
    expect(normaliseTokenResponse(200, "application/json", JSON.stringify({ error: "bad_verification_code" }))).toEqual({ status: 400, body: { error: "bad_verification_code" } });
  });

  it("treats a body that is not JSON or a form as empty (the token request then fails as having no token)", () => {
    expect(normaliseTokenResponse(502, "text/html", "<html>bad gateway</html>").body).not.toHaveProperty("access_token");
    expect(normaliseTokenResponse(200, "application/json", "[1,2]").body).toEqual({});
  });
});
