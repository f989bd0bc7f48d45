#!/usr/bin/env node
// What `npm install waygate` costs a user: packs this checkout (after `npm run build`), installs
// the tarball into an empty project from the npm registry (production dependencies only, no
// install scripts), and measures the tarball, the install time, the packages and their sizes.
//   npm run build && node benchmarks/install-size.mjs [--write]
// --write records the result in benchmarks/RESULTS.md (section install-size).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, lstatSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";

const root = fileURLToPath(new URL("..", import.meta.url));
const work = mkdtempSync(path.join(tmpdir(), "waygate-install-"));
const npm = (args, cwd) => execFileSync("npm", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

try {
  const [packed] = JSON.parse(npm(["pack", "--json", "--ignore-scripts", "--pack-destination", work], root));
  const tarball = path.join(work, packed.filename);
  const project = path.join(work, "project");
  execFileSync("mkdir", [project]);
  writeFileSync(path.join(project, "package.json"), JSON.stringify({ name: "consumer", version: "1.0.0", private: true }));
  const started = performance.now();
  npm(["install", tarball, "--omit=dev", "--ignore-scripts", "--no-audit", "--no-fund", "--prefer-online"], project);
  const installMs = performance.now() - started;

  const modules = path.join(project, "node_modules");
  const packages = listPackages(modules);
  const total = packages.reduce((sum, pkg) => sum + pkg.bytes, 0);
  // Each top-level package with everything nested under it (its own node_modules included).
  const top = readdirSync(modules)
    .filter((name) => !name.startsWith("."))
    .flatMap((name) => (name.startsWith("@") ? readdirSync(path.join(modules, name)).map((sub) => `${name}/${sub}`) : [name]))
    .map((name) => ({ name, bytes: du(path.join(modules, name)) }))
    .sort((a, b) => b.bytes - a.bytes);

  const mb = (bytes) => `${(bytes / 1e6).toFixed(1)} MB`;
  const node = process.version;
  const lines = [
    "<!-- install-size:begin -->",
    "## Install size",
    "",
    `Measured ${new Date().toISOString().slice(0, 10)} with \`npm run build && node benchmarks/install-size.mjs --write\`: \`npm pack\` of this checkout, then \`npm install <tarball> --omit=dev --ignore-scripts\` into an empty project from the npm registry (npm's cache warm, so the time is mostly unpacking and linking). Node ${node}.`,
    "",
    "| measure | value |",
    "| --- | ---: |",
    `| tarball (\`npm pack\`) | ${(packed.size / 1e3).toFixed(0)} kB packed, ${mb(packed.unpackedSize)} unpacked, ${packed.entryCount} files |`,
    `| packages installed (waygate included) | ${packages.length} |`,
    `| node_modules on disk (file sizes) | ${mb(total)} |`,
    `| install time | ${(installMs / 1000).toFixed(1)} s |`,
    "",
    "The ten largest top-level packages, each with what is nested under it:",
    "",
    "| package | size | share |",
    "| --- | ---: | ---: |",
    ...top.slice(0, 10).map((pkg) => `| ${pkg.name} | ${mb(pkg.bytes)} | ${((pkg.bytes / total) * 100).toFixed(0)}% |`),
    "<!-- install-size:end -->",
  ];
  const section = lines.join("\n");
  process.stdout.write(section + "\n");
  if (process.argv.includes("--write")) {
    const resultsFile = path.join(root, "benchmarks", "RESULTS.md");
    let results = readFileSync(resultsFile, "utf8");
    const pattern = /<!-- install-size:begin -->[\s\S]*<!-- install-size:end -->/;
    results = pattern.test(results) ? results.replace(pattern, section) : `${results.trimEnd()}\n\n${section}\n`;
    writeFileSync(resultsFile, results);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

/** Every installed package (a folder with a package.json naming it), nested ones included, with its own files' bytes. */
function listPackages(dir, found = []) {
  if (!existsSync(dir)) return found;
  for (const entry of readdirSync(dir)) {
    if (entry.startsWith(".")) continue;
    const full = path.join(dir, entry);
    if (entry.startsWith("@")) {
      listPackages(full, found);
      continue;
    }
    if (!existsSync(path.join(full, "package.json"))) continue;
    found.push({ name: entry, bytes: du(full, { skipNodeModules: true }) });
    listPackages(path.join(full, "node_modules"), found);
  }
  return found;
}

/** Bytes of the files under `dir` (symlinks not followed). */
function du(dir, options = {}) {
  let bytes = 0;
  for (const entry of readdirSync(dir)) {
    const full = path.join(dir, entry);
    const stat = lstatSync(full);
    if (stat.isSymbolicLink()) continue;
    if (stat.isDirectory()) {
      if (options.skipNodeModules && entry === "node_modules") continue;
      bytes += du(full, options);
    } else bytes += statSync(full).size;
  }
  return bytes;
}
