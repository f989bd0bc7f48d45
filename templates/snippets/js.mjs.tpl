const response = await fetch({{url}}, {
  method: "POST",
  headers: {
    Authorization: `Bearer ${process.env.WAYGATE_API_KEY}`,
    "Content-Type": "application/json",
    "X-Waygate-Version": {{version}},
  },
  body: JSON.stringify({
    input: {{input}},
    connection: "user_42",
  }),
});
if (!response.ok) throw new Error(`Waygate answered ${response.status}: ${await response.text()}`);
console.log(await response.json());
