import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const root = new URL("../../", import.meta.url);

describe("the npm package (npm pack --dry-run, after the build)", () => {
  it("ships the MIT LICENSE package.json names, the launcher with its Node check, and no source maps", async () => {
    const { stdout } = await promisify(execFile)("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: root, encoding: "utf8" });
    const [pack] = JSON.parse(stdout) as Array<{ files: Array<{ path: string }> }>;
    const files = pack!.files.map((file) => file.path);
    expect(files).toEqual(expect.arrayContaining(["LICENSE", "bin/waygate.js", "bin/node-version.js", "dist/cli/main.js", "waygate.schema.json", "templates/runtime.ts"]));
    expect(files.filter((file) => file.endsWith(".map"))).toEqual([]);
    // No shipped file points at a map (or at src/, which is not shipped).
    for (const file of files.filter((path) => path.endsWith(".js"))) expect(readFileSync(new URL(file, root), "utf8"), file).not.toMatch(/sourceMappingURL/);

    const pkg = JSON.parse(readFileSync(new URL("package.json", root), "utf8")) as { license: string };
    const license = readFileSync(new URL("LICENSE", root), "utf8");
    expect(pkg.license).toBe("MIT");
    expect(license).toMatch(/^MIT License\n\nCopyright \(c\) Waygate contributors\n/);
  });

  it("exports the serverless entry point as waygate/server, with its types, and nothing else", async () => {
    const { stdout } = await promisify(execFile)("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: root, encoding: "utf8" });
    const files = (JSON.parse(stdout) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((file) => file.path);
    expect(files).toEqual(expect.arrayContaining(["dist/server.js", "types/server.d.ts"]));
    // Resolved through package.json "exports", as a dependent project imports it (a package may import itself by name).
    const script = 'const m = await import("waygate/server"); console.log(typeof m.createFetchHandler, typeof m.ConfigError); await import("waygate/dist/cli/main.js").catch((e) => console.log(e.code));';
    const run = await promisify(execFile)(process.execPath, ["--input-type=module", "-e", script], { cwd: root, encoding: "utf8" });
    expect(run.stdout.trim().split("\n")).toEqual(["function function", "ERR_PACKAGE_PATH_NOT_EXPORTED"]);
  });
});
