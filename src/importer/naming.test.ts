import { describe, expect, it } from "vitest";
import { actionName, actionNames, preferNames, identifier, slugify } from "./naming.js";

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
    [{ method: "GET", path: "/pets", operationId: "listPets", tags: ["pets"] }, "pets.list"],
    [{ method: "GET", path: "/pets/{id}", operationId: "showPetById", tags: ["pets"] }, "pets.showById"],
    [{ method: "POST", path: "/categories", operationId: "createCategory", tags: ["categories"] }, "categories.create"],
    [{ method: "POST", path: "/line-items", operationId: "addLineItem", tags: ["lineItems"] }, "lineItems.add"],
    [{ method: "GET", path: "/pets", operationId: "pets", tags: ["pets"] }, "pets.pets"],
    [{ method: "GET", path: "/users/{id}", tags: [] }, "users.retrieve"],
    [{ method: "GET", path: "/users", tags: [] }, "users.list"],
    [{ method: "POST", path: "/users/{id}/keys", tags: [] }, "users.keys.create"],
    [{ method: "DELETE", path: "/", tags: [] }, "root.delete"],
    [{ method: "GET", path: "/x", operationId: "💥", tags: [] }, "x.retrieve"],
    [{ method: "GET", path: "/xs", operationId: "💥", tags: [] }, "xs.list"],
    [{ method: "POST", path: "/v1/charges/{charge}/dispute/close", operationId: "PostChargesChargeDisputeClose", tags: [] }, "charges.dispute.close"],
    [{ method: "GET", path: "/v1/customers/{customer}/tax_ids/{id}", operationId: "GetCustomersCustomerTaxIdsId", tags: [] }, "customers.taxIds.retrieve"],
    [{ method: "POST", path: "/2010-04-01/Accounts/{AccountSid}/Messages.json", operationId: "CreateMessage", tags: ["Api20100401Message"] }, "accounts.messages.create"],
    [{ method: "GET", path: "/v1/apps/secrets/find", operationId: "GetAppsSecretsFind", tags: [] }, "apps.secrets.find"],
    [{ method: "POST", path: "/token", tags: [] }, "token.create"],
    [{ method: "GET", path: "/v2/users/{id}", operationId: "op_17", tags: [] }, "users.retrieve"],
    [{ method: "GET", path: "/x", nameHint: ["My Folder", "Get thing"], tags: [] }, "myFolder.getThing"],
  ] as const)("%j → %s", (source, expected) => expect(actionName({ ...source, tags: [...source.tags] })).toBe(expected));
});

describe("preferNames", () => {
  it("keeps the full operationId where dropping the tag words would collide", () => {
    const sources = [
      { method: "GET" as const, path: "/pets/{id}", operationId: "getPet", tags: ["pets"] },
      { method: "GET" as const, path: "/pets", operationId: "getPets", tags: ["pets"] },
      { method: "POST" as const, path: "/pets", operationId: "createPet", tags: ["pets"] },
    ];
    const items = sources.map((source) => actionNames(source));
    preferNames(items);
    expect(items.map((item) => item.name)).toEqual(["pets.getPet", "pets.getPets", "pets.create"]);
  });
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
