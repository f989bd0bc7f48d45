// Which Node.js releases can run waygate. Plain JavaScript that any Node parses, so the
// launcher, scripts/ensure-node22.sh and `npm test` can ask before anything else loads.
//
// The range is the intersection of the `engines` of waygate's runtime dependencies as
// installed: @inquirer/* (^22.22.2 || ^24.15.0 || >=26.0.0), undici (>=22.19.0), commander
// (>=22.12.0), kysely (>=22.0.0). package.json `engines` states the same range; a test keeps
// the two equal.
export const NODE_ENGINES = "^22.22.2 || ^24.15.0 || >=26.0.0";

/** The oldest release of each supported line, newest line first. */
const LINE_MINIMUMS = [
  [26, 0, 0],
  [24, 15, 0],
  [22, 22, 2],
];

/**
 * Null when this Node can run waygate, else the one line that says why not. A release is
 * refused when it is older than the minimum of its line; the odd lines (23, 25), which no
 * dependency lists but which are newer than the line before them, are let through.
 * @param {string} version `process.version`, e.g. "v22.22.2"
 * @returns {string | null}
 */
export function unsupportedNode(version) {
  const [major = 0, minor = 0, patch = 0] = version.replace(/^v/, "").split(/[.+-]/).map(Number);
  const line = LINE_MINIMUMS.find(([lineMajor]) => lineMajor <= major);
  const older = !line || (line[0] === major && (minor < line[1] || (minor === line[1] && patch < line[2])));
  return older ? `waygate needs Node.js ≥ 22.22.2 (≥ 24.15.0 on Node 24); this is ${version}` : null;
}
