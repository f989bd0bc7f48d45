import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { Context, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { CONNECT_PAGE_PATHS, type ConnectErrorCode } from "../../contract/index.js";
import { ConnectRefusal, type ConnectFinish, type ConnectService } from "../../services/connect.js";
import type { ConnectSessionRecord } from "../../store/index.js";
import type { AppEnv } from "../env.js";
import { publicOrigin } from "../routes/connect.js";
import { connectPage, resultPage } from "./html.js";

/** The cookie the session token is traded for: httpOnly, so no script can read it, and never in a URL again. */
const COOKIE = "wg_connect";
/** Form posts of the page are small; anything bigger is not one of ours. */
const MAX_FORM_BYTES = 32 * 1024;

/**
 * The end user's side of just-in-time auth: the hosted connect page, its two form posts and
 * the OAuth callback. Every answer carries a strict CSP (no script; the one style element
 * by nonce; forms may post only here and to where the flow goes next), frame-ancestors
 * 'none' with X-Frame-Options, Referrer-Policy no-referrer and no caching. Form posts need
 * the session's CSRF token (an HMAC of the session id under a key derived from the key ring).
 */
export function mountConnectPages(app: Hono<AppEnv>, connect: ConnectService, options: { publicUrl?: string | undefined }): void {
  const limit = bodyLimit({ maxSize: MAX_FORM_BYTES, onError: (c) => c.text("form too large", 413) });

  app.get(CONNECT_PAGE_PATHS.page, async (c) => {
    const token = c.req.query("token");
    if (token !== undefined) {
      // First load: the token moves into a cookie and out of the address bar (and history, and any Referer).
      const opened = await connect.openSession(token);
      if (opened) {
        setCookie(c, COOKIE, token, {
          httpOnly: true,
          sameSite: "Lax",
          path: "/",
          secure: new URL(publicOrigin(c, options.publicUrl)).protocol === "https:",
          maxAge: Math.max(1, Math.ceil((opened.session.expiresAt.getTime() - Date.now()) / 1000)),
        });
      }
      return redirect(c, CONNECT_PAGE_PATHS.page, []);
    }
    const opened = await sessionOf(c, connect);
    if (!opened) return failed(c, null, "session_expired", 404);
    if (opened.problem) return failed(c, opened.session, opened.problem, 410);
    return page(c, connect, opened.session);
  });

  app.post(CONNECT_PAGE_PATHS.authorize, limit, async (c) => {
    const checked = await formOf(c, connect);
    if (checked instanceof Response) return checked;
    const { session, form } = checked;
    try {
      const url = await connect.startAuthorization(session, form.integration ?? "", publicOrigin(c, options.publicUrl));
      return redirect(c, url, [new URL(url).origin]);
    } catch (error) {
      if (error instanceof ConnectRefusal) return page(c, connect, session, error.message, 409);
      throw error;
    }
  });

  app.post(CONNECT_PAGE_PATHS.credentials, limit, async (c) => {
    const checked = await formOf(c, connect);
    if (checked instanceof Response) return checked;
    const { session, form } = checked;
    try {
      const { csrf: _csrf, integration, ...fields } = form;
      return finish(c, await connect.saveCredentials(session, integration ?? "", fields));
    } catch (error) {
      if (error instanceof ConnectRefusal) return page(c, connect, session, error.message, 400);
      throw error;
    }
  });

  app.get(CONNECT_PAGE_PATHS.callback, async (c) => {
    const opened = await sessionOf(c, connect);
    const parameters = new URL(c.req.url).searchParams;
    return finish(c, await connect.completeCallback(parameters, opened?.session.id ?? null));
  });
}

async function sessionOf(c: Context<AppEnv>, connect: ConnectService) {
  const token = getCookie(c, COOKIE);
  return token ? connect.openSession(token) : undefined;
}

async function page(c: Context<AppEnv>, connect: ConnectService, session: ConnectSessionRecord, error?: string, status: 200 | 400 | 409 = 200): Promise<Response> {
  const choices = await connect.choices(session);
  const nonce = randomBytes(16).toString("base64");
  const user = session.displayName ?? session.email ?? session.externalUserId;
  const html = connectPage(nonce, {
    appName: session.appName,
    user: session.email && session.displayName ? `${session.displayName} (${session.email})` : user,
    csrf: await csrfToken(c, session.id),
    choices,
    authorizePath: CONNECT_PAGE_PATHS.authorize,
    credentialsPath: CONNECT_PAGE_PATHS.credentials,
    error,
  });
  // Chromium applies form-action to the redirect a form post answers with: the provider's
  // authorize origin and the app's return URLs must be allowed, and nothing else.
  const targets = choices.flatMap((choice) => (choice.method.kind === "oauth2" ? [choice.method.authorizeOrigin] : []));
  for (const url of [session.successUrl, session.errorUrl]) if (url) targets.push(new URL(url).origin);
  return html200(c, html, nonce, targets, status);
}

async function formOf(c: Context<AppEnv>, connect: ConnectService): Promise<Response | { session: ConnectSessionRecord; form: Record<string, string> }> {
  if (!/^application\/x-www-form-urlencoded\b/i.test(c.req.header("content-type") ?? "")) return c.text("send the form as application/x-www-form-urlencoded", 415);
  const opened = await sessionOf(c, connect);
  if (!opened) return failed(c, null, "session_expired", 404);
  if (opened.problem) return failed(c, opened.session, opened.problem, 410);
  const body = await c.req.parseBody();
  const form: Record<string, string> = {};
  for (const [name, value] of Object.entries(body)) if (typeof value === "string") form[name] = value;
  if (!(await csrfValid(c, opened.session.id, form.csrf ?? ""))) {
    const nonce = randomBytes(16).toString("base64");
    return html200(c, resultPage(nonce, { ok: false, appName: opened.session.appName, error: "invalid_state" }), nonce, [], 403);
  }
  return { session: opened.session, form };
}

function finish(c: Context<AppEnv>, outcome: ConnectFinish): Response {
  if (outcome.session) deleteCookie(c, COOKIE, { path: "/" });
  if (outcome.redirect) return redirect(c, outcome.redirect, [new URL(outcome.redirect).origin]);
  const nonce = randomBytes(16).toString("base64");
  if (outcome.status === "connected") {
    return html200(c, resultPage(nonce, { ok: true, appName: outcome.session.appName, integration: outcome.session.integration ?? "The integration" }), nonce, []);
  }
  return html200(c, resultPage(nonce, { ok: false, appName: outcome.session?.appName ?? null, error: outcome.error }), nonce, [], 400);
}

function failed(c: Context<AppEnv>, session: ConnectSessionRecord | null, error: ConnectErrorCode, status: 400 | 404 | 410): Response {
  const nonce = randomBytes(16).toString("base64");
  return html200(c, resultPage(nonce, { ok: false, appName: session?.appName ?? null, error }), nonce, [], status);
}

function securityHeaders(c: Context<AppEnv>, nonce: string, formTargets: string[]): void {
  const formAction = ["'self'", ...new Set(formTargets)].join(" ");
  c.header(
    "Content-Security-Policy",
    `default-src 'none'; style-src 'nonce-${nonce}'; img-src 'self' data:; form-action ${formAction}; frame-ancestors 'none'; base-uri 'none'`,
  );
  c.header("X-Frame-Options", "DENY");
  c.header("Referrer-Policy", "no-referrer");
  c.header("Cache-Control", "no-store");
  c.header("X-Content-Type-Options", "nosniff");
  c.header("Cross-Origin-Opener-Policy", "same-origin");
}

function html200(c: Context<AppEnv>, html: string, nonce: string, formTargets: string[], status: 200 | 400 | 403 | 404 | 409 | 410 = 200): Response {
  securityHeaders(c, nonce, formTargets);
  return c.html(html, status);
}

/** 303: the browser follows with a GET (RFC 9110 §15.4.4), so a form post is never re-sent. */
function redirect(c: Context<AppEnv>, location: string, formTargets: string[]): Response {
  securityHeaders(c, randomBytes(16).toString("base64"), formTargets);
  return c.redirect(location, 303);
}

async function csrfKey(c: Context<AppEnv>): Promise<Buffer> {
  return (await c.var.store.sealer()).derive("connect-csrf");
}

async function csrfToken(c: Context<AppEnv>, sessionId: string): Promise<string> {
  return createHmac("sha256", await csrfKey(c)).update(sessionId).digest("base64url");
}

async function csrfValid(c: Context<AppEnv>, sessionId: string, presented: string): Promise<boolean> {
  const expected = Buffer.from(await csrfToken(c, sessionId));
  const given = Buffer.from(presented);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
