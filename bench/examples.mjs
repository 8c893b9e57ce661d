// Issue 10's per-example figures: for each project under examples/ (made to run offline the way the tests do,
// test/helpers/example-project.mjs), `gantry call ci` cold, again with nothing changed (nothing may run), and
// with one source file changed (only what reads it may run). Prints a Markdown section.
// usage: node bench/examples.mjs WORK_DIR RUNS [EXAMPLE…] [--write]
//   --write: also put the section in bench/RESULTS.md, in a block of its own (bench/run.sh does this)
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { execCounts } from "./exec-counts.mjs";
import { copyExample } from "../test/helpers/example-project.mjs";

const [work, runsArg, ...rest] = process.argv.slice(2);
const WRITE = rest.includes("--write");
const only = rest.filter((a) => a !== "--write");
const RUNS = Number(runsArg ?? 3);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const GANTRY = path.join(ROOT, "bin/gantry.js");
const EXAMPLES = only.length
  ? only
  : ["go-service", "bun-cli", "node-api-postgres", "python-django-api", "elixir-phoenix-style"];

// `gantry call ci` in the project, failing the benchmark loudly if it fails; wall ms and how many execs ran of
// how many the call reached (from the JSON progress events, docs/events.md).
function ci(project, stateDir) {
  const t0 = performance.now();
  const r = spawnSync("node", [GANTRY, "--progress=json", "call", "ci"], {
    cwd: project,
    env: { ...process.env, GANTRY_STATE_DIR: stateDir, HOME: stateDir },
    encoding: "utf8",
    maxBuffer: 1 << 28,
  });
  const ms = performance.now() - t0;
  if (r.status !== 0) {
    process.stderr.write(
      `benchmark: ci failed in ${project}\n${r.stdout}\n${r.stderr.slice(-4000)}\n`,
    );
    process.exit(1);
  }
  return { ms, ...execCounts(r.stderr) };
}

// Median and spread of n measurements; the step counts are those of the median run.
function stats(n, once) {
  const xs = Array.from({ length: n }, once).sort((a, b) => a.ms - b.ms);
  const mid = xs[Math.floor((xs.length - 1) / 2)];
  return { ...mid, min: xs[0].ms, max: xs.at(-1).ms };
}

const fmt = (s) => `${(s.ms / 1000).toFixed(1)} s`;
const spread = (s) => `${fmt(s)} (${(s.min / 1000).toFixed(1)}–${(s.max / 1000).toFixed(1)})`;
const rows = [];
for (const name of EXAMPLES) {
  process.stderr.write(`bench: examples/${name}\n`);
  const dir = path.join(work, name);
  mkdirSync(dir, { recursive: true });
  const { project, stateDir, changeFile, changeLine } = copyExample(name, dir);
  const cold = ci(project, stateDir);
  const same = stats(RUNS, () => ci(project, stateDir));
  // each run puts one more comment line on top, so every run sees a file it has not seen before (on top, where
  // every formatter here leaves a comment alone)
  const changed = stats(RUNS, () => {
    const file = path.join(project, changeFile);
    writeFileSync(file, changeLine + readFileSync(file, "utf8"));
    return ci(project, stateDir);
  });
  rows.push(
    `| ${name} | ${fmt(cold)} (${cold.ran} execs) | ${spread(same)} | ${same.ran} of ${same.execs} | ` +
      `\`${changeFile}\` | ${spread(changed)} | ${changed.ran} of ${changed.execs} |`,
  );
}

const section = `## Issue 10's example projects: \`gantry call ci\` cold, unchanged, one file changed

\`node bench/examples.mjs\` — each of examples/ made to run offline as its test does (test images, no npm/PyPI/Hex),
a fresh state dir; "unchanged" and "one file changed" are medians of ${RUNS} runs with min–max. "execs run" counts the
container execs that really ran, of all the call reached (the rest came from cache); a changed file gets one more
comment line on top of the named source file each run. Images and PostgreSQL's data volume are present for every run.

| example | cold ci | unchanged | execs run | changed file | one file changed | execs run |
|---|---:|---:|---:|---|---:|---:|
${rows.join("\n")}
`;
process.stdout.write(section);
if (WRITE) {
  const splice = path.join(ROOT, "bench/splice-results.mjs");
  const results = path.join(ROOT, "bench/RESULTS.md");
  spawnSync("node", [splice, results, section, "bench/examples.mjs"], { stdio: "inherit" });
}
