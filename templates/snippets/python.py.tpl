# Python 3 standard library only: nothing to install.
# WAYGATE_API_KEY: an app key, or a tenant key; WAYGATE_APP names the app a tenant key acts for.
import json
import os
import urllib.error
import urllib.request

{{#app}}
app = os.environ.get("WAYGATE_APP") or {{app}}
{{/app}}
{{^app}}
app = os.environ.get("WAYGATE_APP")  # required with a tenant key
{{/app}}
headers = {
    "authorization": "Bearer " + os.environ["WAYGATE_API_KEY"],
    "content-type": "application/json",
    "accept": "application/json",
    "x-waygate-expected-version": {{version}},
}
if app:
    headers["x-waygate-app"] = app
body = {
    "input": {{input}},
    "connection": "user_42",
}


def invoke(body):
    """One call through Waygate: (the answer's body, the next page's token or None)."""
    request = urllib.request.Request({{url}}, data=json.dumps(body).encode(), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request) as response:
            text = response.read().decode()
            data = json.loads(text) if text and "json" in response.headers.get("content-type", "") else text
            return data, response.headers.get("x-waygate-next-page")
    except urllib.error.HTTPError as error:
        raise SystemExit(f"Waygate answered {error.code}: {error.read().decode()}")


{{^paginated}}
data, _ = invoke(body)
print(data)
{{/paginated}}
{{#paginated}}
# One request per page; each answer names the next page in x-waygate-next-page, until the last.
while True:
    data, page = invoke(body)
    print(data)
    if not page:
        break
    body["page"] = page
{{/paginated}}
