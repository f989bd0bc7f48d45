import { describe, expect, test } from "vitest";
import { escapeInvisible, fileTable, integrationProperty, jsString, NameTable } from "../../src/codegen/naming.js";
import { commentSafe, jsdoc } from "../../src/codegen/jsdoc.js";
import { memberPaths } from "../../src/codegen/plan.js";
import type { ManifestIntegration } from "../../src/contract/sdk.js";

describe("NameTable", () => {
  test("gives collisions after camelCasing a numeric suffix, in claim order", () => {
    const table = new NameTable();
    expect(table.claim("issues.create", "pascal")).toBe("IssuesCreate");
    expect(table.claim("issues-create", "pascal")).toBe("IssuesCreate2");
    expect(table.claim("IssuesCreate", "pascal")).toBe("IssuesCreate3");
  });

  test("renames reserved words, globals and the generator's own names", () => {
    const table = new NameTable(["Client"]);
    expect(table.claim("Client", "pascal")).toBe("Client_");
    expect(table.claim("record", "pascal")).toBe("Record_");
    expect(table.claim("promise", "pascal")).toBe("Promise_");
    expect(table.claim("delete", "camel")).toBe("delete_");
  });

  test("member names keep reserved words (valid property names) but never thenable or prototype keys", () => {
    const table = new NameTable();
    expect(["delete", "default", "new", "then", "constructor", "__proto__", "toJSON", "hasOwnProperty"].map((name) => table.claim(name, "member"))).toEqual([
      "delete",
      "default",
      "new",
      "then_",
      "constructor_",
      "__proto___",
      "toJSON_",
      "hasOwnProperty_",
    ]);
  });

  test("folds accents, drops invisible and non-Latin characters, prefixes leading digits", () => {
    const table = new NameTable();
    expect(table.claim("ação", "pascal")).toBe("Acao");
    expect(table.claim("a\u202eb\u200dc", "camel")).toBe("aBC");
    expect(table.claim("9lives", "pascal")).toBe("_9lives");
    expect(table.claim("日本", "pascal", "Schema")).toBe("Schema");
  });

  test("claimFamily keeps an action's Input/Output/Item names on one base", () => {
    const table = new NameTable();
    table.claim("IssuesCreateOutput", "pascal");
    expect(table.claimFamily("issues.create", ["Input", "Output", "Item"])).toBe("IssuesCreate2");
    expect(table.has("IssuesCreate2Input")).toBe(true);
  });

  test("file names avoid index, runtime, device names and case-only collisions", () => {
    const files = fileTable();
    expect(["index", "runtime", "con", "GitHub", "github", "lpt1"].map((name) => files.claim(name, "file"))).toEqual([
      "index-",
      "runtime-",
      "con-",
      "git-hub",
      "github",
      "lpt1-",
    ]);
    expect(files.claim("git-hub", "file")).toBe("git-hub2");
  });
});

describe("integrationProperty", () => {
  test("maps slugs to identifiers", () => {
    expect(["github", "acme-crm", "0day", "a--b-", "then", "constructor", "v-2", "with-options"].map(integrationProperty)).toEqual([
      "github",
      "acmeCrm",
      "_0day",
      "a_B_",
      "then$",
      "constructor$",
      "v_2",
      // The client root's own member.
      "withOptions$",
    ]);
  });

  test("is injective on valid slugs, so snippets and the client always agree", () => {
    const alphabet = "ab0-";
    const seen = new Map<string, string>();
    const visit = (slug: string): void => {
      if (slug.length > 0 && /^[a-z0-9]/.test(slug)) {
        const property = integrationProperty(slug);
        expect(seen.get(property) ?? slug).toBe(slug);
        seen.set(property, slug);
      }
      if (slug.length < 6) for (const char of alphabet) visit(slug + char);
    };
    visit("");
    expect(seen.size).toBeGreaterThan(1000);
  });

  test("rejects what is not a slug", () => {
    expect(() => integrationProperty("Git Hub")).toThrow(/invalid integration slug/);
  });
});

describe("escaping", () => {
  test("jsString output is ASCII and evaluates back to the input", () => {
    const nasty = `"'\`\${x}\\\n\r\u2028\u2029\u202e\u0000😀\ud800`;
    const literal = jsString(nasty);
    expect(literal).toMatch(/^[\x20-\x7e]+$/);
    expect(JSON.parse(literal)).toBe(nasty);
  });

  test("comment text cannot close the comment or start a new line unprefixed", () => {
    expect(commentSafe("a */ b\r\nc\u2028d\u202ee")).toBe("a *\\/ b\nc\nde");
    const doc = jsdoc({ summary: "x */ alert(1) /*", description: "line\u2029two", deprecated: true });
    expect(doc.match(/\*\//g)).toHaveLength(1);
    expect(doc.split("\n").slice(1, -2).every((line) => line.startsWith(" *"))).toBe(true);
  });

  test("escapeInvisible leaves visible text alone", () => {
    expect(escapeInvisible("caf\u00e9 a\u200bb")).toBe("caf\u00e9 a\\u200bb");
  });
});

describe("member paths: groups named like the integration do not stutter", () => {
  function paths(slug: string, names: string[]): Record<string, string> {
    const integration = { slug, actions: names.map((name) => ({ name })) } as unknown as ManifestIntegration;
    return Object.fromEntries([...memberPaths(integration)].map(([name, path]) => [name, path.join(".")]));
  }

  test("a group named like the slug is dropped (words compared, case aside)", () => {
    expect(paths("tasks", ["tasks.create", "tasks.list", "projects.list"])).toEqual({ "tasks.create": "create", "tasks.list": "list", "projects.list": "projects.list" });
    expect(paths("acme-crm", ["acmeCrm.contacts.list", "acme_crm.ping"])).toEqual({ "acmeCrm.contacts.list": "contacts.list", "acme_crm.ping": "ping" });
  });

  test("an action keeps its group only where dropping it would meet another action's name", () => {
    expect(paths("tasks", ["tasks.list", "list", "tasks.create", "tasks.get.all", "get", "tasks.sub", "sub.x"])).toEqual({
      // `list` is another action.
      "tasks.list": "tasks.list",
      list: "list",
      "tasks.create": "create",
      // `get` is an action where this one needs a group.
      "tasks.get.all": "tasks.get.all",
      get: "get",
      // `sub` is a group of another action.
      "tasks.sub": "tasks.sub",
      "sub.x": "sub.x",
    });
  });

  test("only the first segment, and never an action's only segment, is dropped", () => {
    expect(paths("tasks", ["tasks.tasks.create"])).toEqual({ "tasks.tasks.create": "tasks.create" });
    expect(paths("tasks", ["tasks"])).toEqual({ tasks: "tasks" });
  });

  test("the integration client's own `request` is never an action's name", () => {
    expect(paths("acme", ["request", "requests.list"])).toEqual({ request: "request_", "requests.list": "requests.list" });
    expect(paths("acme", ["acme.request"])).toEqual({ "acme.request": "request_" });
  });
});
