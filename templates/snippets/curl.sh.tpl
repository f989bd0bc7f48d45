curl -X POST {{url}} \
  -H "Authorization: Bearer $WAYGATE_API_KEY" \
  -H 'Content-Type: application/json' \
  -H {{versionHeader}} \
  --data-raw {{body}}
