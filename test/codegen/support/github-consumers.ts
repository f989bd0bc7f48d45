/**
 * Application code written against the generated GitHub client: one file that uses it
 * correctly (three actions, the named types, pagination, request options) and one file
 * per kind of mistake, each with the TypeScript error codes it must produce. The same
 * files are checked by TypeScript 5.9 and 7.
 */

const CLIENT = `import { createWaygate } from "./waygate/index.js";\n\nconst wg = createWaygate({ apiKey: "wg_app_test" });\n\n`;

/** Uses issues.create, repos.get and issues.listForRepo as the docs show. */
export const CORRECT_CONSUMER = {
  file: "consumer-correct.ts",
  source:
    [
      `import { createWaygate, NotFoundError, type Github } from "./waygate/index.js";`,
      ``,
      `const wg = createWaygate({ apiKey: "wg_app_test" });`,
      ``,
      `export async function triage(owner: string, repo: string): Promise<string[]> {`,
      `  const input: Github.IssuesCreateInput = { owner, repo, title: "Flaky test", labels: ["ci", { name: "bug" }] };`,
      `  const created: Github.IssuesCreateOutput = await wg.github.issues.create(input, { connection: "user_42", idempotencyKey: "triage-1" });`,
      `  const repository = await wg.github.repos.get({ owner, repo }, { connection: "user_42", timeout: 5_000, retries: 2 });`,
      `  const titles: string[] = [\`#\${created.number} \${created.title}\`, repository.full_name];`,
      `  for await (const issue of wg.github.issues.listForRepo.paginate({ owner, repo, state: "open", per_page: 100 }, { connection: "user_42" })) {`,
      `    const item: Github.IssuesListForRepoItem = issue;`,
      `    titles.push(item.title);`,
      `  }`,
      `  return titles;`,
      `}`,
      ``,
      `export async function exists(owner: string, repo: string): Promise<boolean> {`,
      `  try {`,
      `    await wg.github.repos.get({ owner, repo }, { signal: AbortSignal.timeout(1_000) });`,
      `    return true;`,
      `  } catch (error) {`,
      `    if (error instanceof NotFoundError) return false;`,
      `    throw error;`,
      `  }`,
      `}`,
      ``,
    ].join("\n"),
};

export type Compiler = "5.9" | "7";

export interface MistakeCase {
  /** What the test names. */
  readonly mistake: string;
  readonly file: string;
  readonly source: string;
  /** The error codes each compiler reports in the file, in order. */
  readonly codes: Readonly<Record<Compiler, readonly number[]>>;
  /** Text every reported message contains (the offending field or type). */
  readonly mentions: readonly string[];
}

function mistake(mistake: string, slug: string, source: string, codes: number[] | Record<Compiler, number[]>, mentions: string[]): MistakeCase {
  return { mistake, file: `consumer-${slug}.ts`, source: `${source}\n`, codes: Array.isArray(codes) ? { "5.9": codes, "7": codes } : codes, mentions };
}

export const MISTAKES: readonly MistakeCase[] = [
  mistake(
    "a misspelt field name (excess property, with a suggestion)",
    "misspelt-field",
    `${CLIENT}export const created = wg.github.issues.create({ owner: "o", repo: "r", title: "t", assignes: ["octocat"] });`,
    [2561],
    ["assignes", "assignees"],
  ),
  mistake(
    "an unknown field name (excess property)",
    "unknown-field",
    `${CLIENT}export const created = wg.github.issues.create({ owner: "o", repo: "r", title: "t", priority: "high" });`,
    [2353],
    ["priority"],
  ),
  mistake(
    "a missing required field in the call",
    "missing-field-call",
    `${CLIENT}export const created = wg.github.issues.create({ owner: "o", repo: "r" });`,
    // 5.9 reports the argument, 7 elaborates to the missing property.
    { "5.9": [2345], "7": [2741] },
    ["title"],
  ),
  mistake(
    "a missing required field in a typed input",
    "missing-field-typed",
    `import type { Github } from "./waygate/index.js";\n\nexport const input: Github.IssuesCreateInput = { owner: "o", repo: "r" };`,
    [2741],
    ["title", "IssuesCreateInput"],
  ),
  mistake(
    "a field of the wrong type",
    "wrong-type",
    `${CLIENT}export const issues = wg.github.issues.listForRepo({ owner: "o", repo: "r", per_page: "100" });`,
    [2322],
    ["string", "number"],
  ),
  mistake(
    "a value outside the field's enum",
    "wrong-enum",
    `${CLIENT}export const issues = wg.github.issues.listForRepo({ owner: "o", repo: "r", state: "merged" });`,
    [2322],
    ['"merged"'],
  ),
  mistake(
    "a misspelt enum value (with a suggestion)",
    "misspelt-enum",
    `${CLIENT}export const issues = wg.github.issues.listForRepo({ owner: "o", repo: "r", state: "opened" });`,
    [2820],
    ['"opened"', '"open"'],
  ),
  mistake(
    "an output field used as the wrong type",
    "wrong-output",
    `${CLIENT}export async function count(): Promise<number> {\n  const issue = await wg.github.issues.create({ owner: "o", repo: "r", title: "t" });\n  return issue.title;\n}`,
    [2322],
    ["string", "number"],
  ),
  mistake(
    "no input for an action that requires one",
    "missing-input",
    `${CLIENT}export const created = wg.github.issues.create();`,
    [2554],
    ["Expected 1-2 arguments, but got 0"],
  ),
  mistake(
    "paginating an action that does not paginate",
    "not-paginated",
    `${CLIENT}export const pages = wg.github.issues.create.paginate;`,
    [2339],
    ["paginate"],
  ),
  mistake(
    "a request option of the wrong type",
    "wrong-option",
    `${CLIENT}export const repository = wg.github.repos.get({ owner: "o", repo: "r" }, { connection: 42 });`,
    [2322],
    ["number", "string"],
  ),
];
