// WAYGATE_API_KEY: an app key, or a tenant key; WAYGATE_APP names the app a tenant key acts for.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
)

type invokeBody struct {
	Input      json.RawMessage `json:"input"`
	Connection string          `json:"connection"`
	Page       string          `json:"page,omitempty"`
}

func main() {
	app := os.Getenv("WAYGATE_APP") // required with a tenant key
{{#app}}
	if app == "" {
		app = {{app}}
	}
{{/app}}
	body := invokeBody{Input: json.RawMessage({{input}}), Connection: "user_42"}
{{^paginated}}
	out, _ := invoke(body, app)
	fmt.Println(string(out))
{{/paginated}}
{{#paginated}}
	// One request per page; each answer names the next page in X-Waygate-Next-Page, until the last.
	for {
		out, next := invoke(body, app)
		fmt.Println(string(out))
		if next == "" {
			break
		}
		body.Page = next
	}
{{/paginated}}
}

// invoke sends one call through Waygate and exits on an answer outside 2xx.
func invoke(body invokeBody, app string) ([]byte, string) {
	payload, err := json.Marshal(body)
	if err != nil {
		panic(err)
	}
	req, err := http.NewRequest(http.MethodPost, {{url}}, bytes.NewReader(payload))
	if err != nil {
		panic(err)
	}
	req.Header.Set("Authorization", "Bearer "+os.Getenv("WAYGATE_API_KEY"))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("X-Waygate-Expected-Version", {{version}})
	if app != "" {
		req.Header.Set("X-Waygate-App", app)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	defer res.Body.Close()
	out, err := io.ReadAll(res.Body)
	if err != nil {
		panic(err)
	}
	if res.StatusCode < 200 || res.StatusCode > 299 {
		fmt.Fprintf(os.Stderr, "Waygate answered %s: %s\n", res.Status, out)
		os.Exit(1)
	}
	return out, res.Header.Get("X-Waygate-Next-Page")
}
