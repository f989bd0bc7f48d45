import os

import httpx

response = httpx.post(
    {{url}},
    headers={
        "Authorization": f"Bearer {os.environ['WAYGATE_API_KEY']}",
        "X-Waygate-Version": {{version}},
    },
    json={
        "input": {{input}},
        "connection": "user_42",
    },
)
response.raise_for_status()
print(response.json())
