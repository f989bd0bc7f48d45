import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { projectSchemaRef, writeProject } from "./project.js";

/** A temp folder with `node_modules/waygate/waygate.schema.json` in each of `installedIn` (relative folders). */
function tree(installedIn: string[]): string {
  const root = mkdtempSync(path.join(tmpdir(), "waygate-project-"));
  for (const dir of installedIn) {
    mkdirSync(path.join(root, dir, "node_modules", "waygate"), { recursive: true });
    writeFileSync(path.join(root, dir, "node_modules", "waygate", "waygate.schema.json"), "{}");
  }
  return root;
}

describe("projectSchemaRef", () => {
  it("points at the project's installed waygate from its root", async () => {
    const root = tree(["."]);
    expect(await projectSchemaRef(root)).toBe("./node_modules/waygate/waygate.schema.json");
  });

  it("points up to a monorepo's root install from a subfolder", async () => {
    const root = tree(["."]);
    mkdirSync(path.join(root, "packages", "web"), { recursive: true });
    expect(await projectSchemaRef(path.join(root, "packages", "web"))).toBe("../../node_modules/waygate/waygate.schema.json");
  });

  it("prefers the nearest install, as Node's resolution does", async () => {
    const root = tree([".", "packages/web"]);
    expect(await projectSchemaRef(path.join(root, "packages", "web"))).toBe("./node_modules/waygate/waygate.schema.json");
  });

  it("points at this checkout's own schema from a folder inside it (the quick start's project)", async () => {
    const checkout = fileURLToPath(new URL("../../", import.meta.url));
    expect(await projectSchemaRef(path.join(checkout, ".waygate-quickstart", "project"))).toBe("../../waygate.schema.json");
  });

  it("gives none where no installed waygate can be found (a global or npx run)", async () => {
    expect(await projectSchemaRef(tree([]))).toBeUndefined();
  });

  it("writes no $schema then, and adds one on a later write once waygate is installed", async () => {
    const root = tree([]);
    const file = path.join(root, "waygate.json");
    await writeProject(file, { app: "web", out: "./waygate", integrations: {} });
    expect(JSON.parse(await readFile(file, "utf8"))).toEqual({ app: "web", out: "./waygate", integrations: {} });
    mkdirSync(path.join(root, "node_modules", "waygate"), { recursive: true });
    writeFileSync(path.join(root, "node_modules", "waygate", "waygate.schema.json"), "{}");
    await writeProject(file, { app: "web", out: "./waygate", integrations: { crm: 1 } });
    expect(JSON.parse(await readFile(file, "utf8"))).toEqual({ $schema: "./node_modules/waygate/waygate.schema.json", app: "web", out: "./waygate", integrations: { crm: 1 } });
  });
});
