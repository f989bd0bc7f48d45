import { describe, expect, it } from "vitest";
import { actionName, identifier, slugify } from "./naming.js";

describe("identifier", () => {
  it.each([
    ["list-for-org", "listForOrg"],
    ["listPets", "listPets"],
    ["ListPets", "listPets"],
    ["GET_USERS", "getUsers"],
    ["HTTPStatus", "httpStatus"],
    ["créer un élément", "creerUnElement"],
    ["2fa settings", "_2faSettings"],
    ["!!!", ""],
  ])("%s → %s", (text, expected) => expect(identifier(text)).toBe(expected));
});

describe("actionName", () => {
  it.each([
    [{ method: "POST", path: "/repos/{owner}/{repo}/issues", operationId: "issues/create", tags: ["issues"] }, "issues.create"],
    [{ method: "GET", path: "/orgs/{org}/repos", operationId: "repos/list-for-org", tags: [] }, "repos.listForOrg"],
    [{ method: "GET", path: "/pets", operationId: "listPets", tags: ["Pet Store"] }, "petStore.listPets"],
    [{ method: "GET", path: "/pets", operationId: "listPets", tags: [] }, "listPets"],
    [{ method: "GET", path: "/users/{id}", tags: [] }, "users.get"],
    [{ method: "GET", path: "/users", tags: [] }, "users.list"],
    [{ method: "POST", path: "/users/{id}/keys", tags: [] }, "users.keys.create"],
    [{ method: "DELETE", path: "/", tags: [] }, "root.delete"],
    [{ method: "GET", path: "/x", operationId: "💥", tags: [] }, "x.list"],
    [{ method: "GET", path: "/x", nameHint: ["My Folder", "Get thing"], tags: [] }, "myFolder.getThing"],
  ] as const)("%j → %s", (source, expected) => expect(actionName({ ...source, tags: [...source.tags] })).toBe(expected));
});

describe("slugify", () => {
  it.each([
    ["GitHub's official OpenAPI spec + Octokit extension", "githubs-official-openapi-spec-octokit-extension"],
    ["Petstore (3.0)", "petstore-3-0"],
    ["Ünïcödé API", "unicode-api"],
    ["!!!", "api"],
    ["a".repeat(100), "a".repeat(64)],
  ])("%s → %s", (title, slug) => expect(slugify(title)).toBe(slug));
});
