import type { ConnectErrorCode } from "../../contract/index.js";
import type { ConnectChoice } from "../../services/connect.js";

/*
 * The hosted connect page, rendered on the server: no script at all, no external assets,
 * one <style> element carrying the response's CSP nonce. Every value that came from an app,
 * an integration or an end user goes through `escape`. Readable from 320 px up.
 */

export function escape(value: string): string {
  return value.replace(/[&<>"']/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch]!);
}

const STYLE = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f4f5f7;color:#1c2024}
main{max-width:28rem;margin:0 auto;padding:1.5rem 1rem}
.card{background:#fff;border-radius:12px;padding:1.5rem;box-shadow:0 1px 3px rgba(0,0,0,.12)}
h1{font-size:1.35rem;line-height:1.3;margin:0 0 .75rem}
h2{font-size:1.05rem;margin:1.25rem 0 .5rem}
p,ul{margin:.5rem 0}
ul{padding-left:1.25rem}
.muted{color:#5b6470;font-size:.9rem}
label{display:block;font-weight:600;margin:.75rem 0 .25rem}
input{width:100%;font:inherit;padding:.7rem .75rem;border:1px solid #b9c0c8;border-radius:8px}
button{width:100%;margin-top:1rem;font:inherit;font-weight:600;padding:.8rem 1rem;border:0;border-radius:8px;background:#2754c5;color:#fff;cursor:pointer}
button:focus,input:focus{outline:3px solid #8fb0ff;outline-offset:1px}
.integration{border-top:1px solid #e3e6ea;margin-top:1.25rem;padding-top:.5rem}
code{font-size:.9em;background:#eef0f3;padding:.1rem .3rem;border-radius:4px;word-break:break-all}
.ok{color:#1b7a3a}.bad{color:#b42318}
`;

export function layout(nonce: string, title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escape(title)}</title>
<style nonce="${escape(nonce)}">${STYLE}</style>
</head>
<body><main><div class="card">
${body}
</div><p class="muted">Secured by Waygate. Your credentials are encrypted at rest and never shown again.</p></main></body>
</html>`;
}

export interface ConnectPageView {
  appName: string;
  user: string;
  csrf: string;
  choices: ConnectChoice[];
  authorizePath: string;
  credentialsPath: string;
  error?: string | undefined;
}

export function connectPage(nonce: string, view: ConnectPageView): string {
  const only = view.choices.length === 1 ? view.choices[0]! : undefined;
  const heading = only ? `${view.appName} wants to connect to ${only.name}` : `${view.appName} wants to connect to your accounts`;
  const sections = view.choices.map((choice) => section(view, choice)).join("\n");
  return layout(
    nonce,
    heading,
    `<h1>${escape(heading)}</h1>
<p class="muted">For ${escape(view.user)}</p>
${view.error ? `<p class="bad" role="alert">${escape(view.error)}</p>` : ""}
${sections}`,
  );
}

function section(view: ConnectPageView, choice: ConnectChoice): string {
  const hidden = `<input type="hidden" name="csrf" value="${escape(view.csrf)}"><input type="hidden" name="integration" value="${escape(choice.slug)}">`;
  const title = `<h2>${escape(choice.name)}</h2>`;
  const method = choice.method;
  switch (method.kind) {
    case "oauth2": {
      const scopes = method.scopes.length > 0 ? `<ul>${method.scopes.map((s) => `<li><code>${escape(s)}</code></li>`).join("")}</ul>` : "<p>The permissions the provider asks you to approve.</p>";
      return `<section class="integration">${title}
<p>What will be shared: access to your ${escape(choice.name)} account with these permissions, so that ${escape(view.appName)} can act for you until you disconnect.</p>
${scopes}
<p class="muted">You will approve this at ${escape(new URL(method.authorizeOrigin).host)}.</p>
<form method="post" action="${escape(view.authorizePath)}">${hidden}<button type="submit">Continue to ${escape(choice.name)}</button></form></section>`;
    }
    case "apiKey":
    case "bearer":
    case "basic": {
      const fields =
        method.kind === "apiKey"
          ? field("key", `API key for ${choice.name}`, "password")
          : method.kind === "bearer"
            ? field("token", `Access token for ${choice.name}`, "password")
            : field("username", "Username", "text") + field("password", "Password", "password");
      return `<section class="integration">${title}
<p>What will be shared: your ${method.kind === "basic" ? "username and password" : method.kind === "apiKey" ? "API key" : "access token"} for ${escape(choice.name)}, so that ${escape(view.appName)} can call ${escape(choice.name)} for you.</p>
<form method="post" action="${escape(view.credentialsPath)}" autocomplete="off">${hidden}${fields}<button type="submit">Connect ${escape(choice.name)}</button></form></section>`;
    }
    case "unavailable":
      return `<section class="integration">${title}<p class="bad">${escape(method.reason)}.</p></section>`;
  }
}

function field(name: string, label: string, type: "text" | "password"): string {
  return `<label for="f-${name}">${escape(label)}</label><input id="f-${name}" name="${name}" type="${type}" required maxlength="10000" autocomplete="off" spellcheck="false">`;
}

const ERROR_TEXT: Record<ConnectErrorCode, string> = {
  session_expired: "This connect link has expired.",
  session_used: "This connect link has already been used.",
  invalid_state: "This sign-in could not be matched to a connect link (it may have been used already).",
  access_denied: "You declined the request.",
  provider_error: "The provider reported an error.",
  token_exchange_failed: "The provider did not issue access. Nothing was saved.",
  no_oauth_client: "This app is not set up to connect this integration.",
  invalid_credentials: "Those credentials could not be saved.",
};

export function resultPage(nonce: string, outcome: { ok: true; appName: string; integration: string } | { ok: false; appName: string | null; error: ConnectErrorCode }): string {
  if (outcome.ok) {
    return layout(nonce, "Connected", `<h1 class="ok">Connected</h1><p>${escape(outcome.integration)} is now connected to ${escape(outcome.appName)}. You can close this window.</p>`);
  }
  const back = outcome.appName ? `Go back to ${escape(outcome.appName)} and start again.` : "Go back to the app and start again.";
  return layout(nonce, "Not connected", `<h1 class="bad">Not connected</h1><p>${escape(ERROR_TEXT[outcome.error])}</p><p>${back}</p><p class="muted">Error code: <code>${escape(outcome.error)}</code></p>`);
}
