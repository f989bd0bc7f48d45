import { MockAgent } from "undici";
import { afterAll, describe, expect, it } from "vitest";
import { IntegrationDefinitionSchema } from "../contract/integrations.js";
import { definitionHash } from "../lib/definition-hash.js";
import { importDocument } from "./index.js";
import { fixture } from "./test-server.js";
import { seededRandom } from "../../test/support/seeded-random.js";

const FIXTURES = ["petstore-3.0.yaml", "petstore-3.1.json", "swagger-2.0.json", "postman-2.1.json", "external/root.yaml", "html/no-spec.html", "adversarial/proto-pollution.json", "adversarial/ref-loop.yaml"];
const PER_DOCUMENT_MS = 2_000;
const SPICE = ['"$ref": "#/"', "__proto__", "{", "}", "[", "]", ":", "- ", "&a ", "*a", "!!js/function ", "\u0000", "\n  ", '"', "'", "{{x}}", "<script>", "%", "~1", "null", "1e999", "-0"];

function pick<T>(random: () => number, list: readonly T[]): T {
  return list[Math.floor(random() * list.length)]!;
}

/** Replaces a random node of a parsed document with something of the wrong kind. */
function mutateTree(value: unknown, random: () => number): unknown {
  const nodes: { parent: Record<string, unknown> | unknown[]; key: string | number }[] = [];
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const node = stack.pop();
    if (Array.isArray(node)) {
      node.forEach((child, i) => {
        nodes.push({ parent: node, key: i });
        stack.push(child);
      });
    } else if (node && typeof node === "object") {
      for (const [key, child] of Object.entries(node)) {
        nodes.push({ parent: node as Record<string, unknown>, key });
        stack.push(child);
      }
    }
  }
  const replacements: (() => unknown)[] = [
    () => null,
    () => 42,
    () => "x".repeat(Math.floor(random() * 5000)),
    () => [],
    () => ({}),
    () => ({ $ref: pick(random, ["#/", "#/paths", "#/components/schemas/Missing", "#", "other.yaml#/x", "#/info/title", "https://example.invalid/x.json"]) }),
    () => ({ ["__proto__"]: { polluted: true }, type: "object" }),
    () => ({ type: ["object", 7], properties: "nope", required: [1, null], items: [true, false], allOf: {} }),
    () => JSON.parse(JSON.stringify(pick(random, nodes)?.parent ?? null)) as unknown,
  ];
  for (let i = 0, n = 1 + Math.floor(random() * 4); i < n && nodes.length > 0; i++) {
    const target = pick(random, nodes);
    if (random() < 0.2 && !Array.isArray(target.parent)) delete target.parent[target.key as string];
    else (target.parent as Record<string | number, unknown>)[target.key] = pick(random, replacements)();
  }
  return value;
}

function mutateText(text: string, random: () => number): string {
  const kind = Math.floor(random() * 4);
  if (kind === 0) return text.slice(0, Math.floor(random() * text.length)); // truncated
  if (kind === 1) {
    // point edits
    const chars = text.split("");
    for (let i = 0, n = 1 + Math.floor(random() * 20); i < n; i++) chars[Math.floor(random() * chars.length)] = String.fromCharCode(Math.floor(random() * 128));
    return chars.join("");
  }
  if (kind === 2) {
    // spliced syntax
    let out = text;
    for (let i = 0, n = 1 + Math.floor(random() * 6); i < n; i++) {
      const at = Math.floor(random() * out.length);
      out = out.slice(0, at) + pick(random, SPICE) + out.slice(at + Math.floor(random() * 10));
    }
    return out;
  }
  // duplicated / shuffled lines
  const lines = text.split("\n");
  for (let i = 0, n = 1 + Math.floor(random() * 10); i < n; i++) {
    const a = Math.floor(random() * lines.length);
    const b = Math.floor(random() * lines.length);
    [lines[a], lines[b]] = [lines[b]!, lines[a]!];
  }
  return lines.join("\n");
}

function garbage(random: () => number): Uint8Array {
  const bytes = new Uint8Array(Math.floor(random() * 2000));
  for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(random() * 256);
  return bytes;
}

// No document may reach the network: every request fails at once.
const agent = new MockAgent();
agent.disableNetConnect();
afterAll(() => agent.close());

describe("fuzz", () => {
  it("never throws, hangs or returns an invalid definition on 1 200 mutated documents", async () => {
    const random = seededRandom(0x5eed);
    const sources = await Promise.all(FIXTURES.map(async (name) => ({ name, text: await fixture(name) })));
    const cases: { label: string; content: string | Uint8Array }[] = [];
    for (let i = 0; i < 1200; i++) {
      const source = pick(random, sources);
      const roll = random();
      if (roll < 0.45) cases.push({ label: `${source.name} text#${i}`, content: mutateText(source.text, random) });
      else if (roll < 0.9 && !source.name.endsWith(".html")) {
        const tree = source.name.endsWith(".json") ? (JSON.parse(source.text) as unknown) : ((await import("yaml")).parse(source.text) as unknown);
        cases.push({ label: `${source.name} tree#${i}`, content: JSON.stringify(mutateTree(tree, random)) });
      } else cases.push({ label: `garbage#${i}`, content: garbage(random) });
    }

    const tally = { imported: 0, failed: 0 };
    const started = Date.now();
    for (const { label, content } of cases) {
      const t0 = Date.now();
      const outcome = await importDocument({ kind: "content", content, filename: label }, { dispatcher: agent, allowPrivateNetwork: true, limits: { requestTimeoutMs: 500 } });
      const elapsed = Date.now() - t0;
      expect(elapsed, label).toBeLessThan(PER_DOCUMENT_MS);
      if (outcome.kind === "failed") {
        expect(outcome.error.message.length, label).toBeGreaterThan(0);
        expect(outcome.error.code, label).toMatch(/^[a-z_]+$/);
        tally.failed++;
      } else {
        expect(() => IntegrationDefinitionSchema.parse(outcome.definition), label).not.toThrow();
        expect(outcome.contentHash, label).toBe(definitionHash(JSON.parse(JSON.stringify(outcome.definition))));
        tally.imported++;
      }
    }
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
    expect(tally.imported + tally.failed).toBe(1200);
    // Both outcomes must be exercised, or the mutations are too weak or too strong.
    expect(tally.imported).toBeGreaterThan(100);
    expect(tally.failed).toBeGreaterThan(100);
    expect(Date.now() - started).toBeLessThan(30_000);
  }, 60_000);
});
