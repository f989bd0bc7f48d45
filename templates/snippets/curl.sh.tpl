# WAYGATE_API_KEY: an app key, or a tenant key; WAYGATE_APP names the app a tenant key acts for.
{{#app}}
app="${WAYGATE_APP:-}"
[ -n "$app" ] || app={{app}}
{{/app}}
{{^app}}
app="${WAYGATE_APP:-}" # required with a tenant key
{{/app}}

{{^paginated}}
curl --fail-with-body -sS -X POST {{url}} \
  -H "Authorization: Bearer $WAYGATE_API_KEY" \
  -H 'Content-Type: application/json' \
  -H {{versionHeader}} \
  ${app:+-H "x-waygate-app: $app"} \
  --data-raw {{body}}
{{/paginated}}
{{#paginated}}
# One request per page; each answer names the next page in x-waygate-next-page, until the last.
body={{body}}
headers="$(mktemp)"
trap 'rm -f "$headers"' EXIT
page=
while :; do
  data="$body"
  [ -z "$page" ] || data="${body%\}},\"page\":\"$page\"}"
  curl --fail-with-body -sS -X POST {{url}} -D "$headers" \
    -H "Authorization: Bearer $WAYGATE_API_KEY" \
    -H 'Content-Type: application/json' \
    -H {{versionHeader}} \
    ${app:+-H "x-waygate-app: $app"} \
    --data-raw "$data" || exit 1
  echo
  page="$(tr -d '\r' < "$headers" | awk -F': *' 'tolower($1) == "x-waygate-next-page" { print $2 }')"
  [ -n "$page" ] || break
done
{{/paginated}}
