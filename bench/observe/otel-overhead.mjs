// What OpenTelemetry costs a run: the same cached `gantry call` with no exporter, and exporting to a loopback
// receiver; and which modules each loads (the SDK must not be loaded without OTEL_EXPORTER_OTLP_ENDPOINT).
// Usage: node bench/observe/otel-overhead.mjs [runs]
// Also run it at the commit before this work (git worktree) to compare "no exporter" with the code before it.   (needs `npm run build`, Docker and the test images)
import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "../..");
// BASELINE_GANTRY=/path/to/other/checkout/bin/gantry.js adds a row for that build (the code before this work)
const BASELINE = process.env.BASELINE_GANTRY;
const RUNS = Number(process.argv[2] ?? 7);
const work = mkdtempSync(path.join(os.tmpdir(), "gantry-otel-bench-"));
const mod = path.join(work, "mod");
cpSync(path.join(ROOT, "test/fixtures/observe-module"), mod, { recursive: true });
const state = path.join(work, "state");

const server = http.createServer((req, res) => req.resume().on("end", () => res.end("{}")));
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const endpoint = `http://127.0.0.1:${server.address().port}`;

// One `gantry call chain` (every step cached after the first run): its wall time; with `logModules`, run under a
// resolve hook (which slows loading, so those runs are not timed) and count the modules it loaded.
// Spawned asynchronously: the receiver lives in this process and must answer while gantry exports.
async function run(env, logModules = false, bin = path.join(ROOT, "bin/gantry.js")) {
  const log = path.join(work, `modules-${Math.random()}.log`);
  const hook = logModules ? ["--import", path.join(ROOT, "bench/observe/log-modules.mjs")] : [];
  const t0 = performance.now();
  const child = spawn(
    "node",
    [...hook, bin, "call", "--runtime=docker", "--progress=plain", "chain", "--nonce=bench"],
    {
      cwd: mod,
      env: { ...process.env, GANTRY_STATE_DIR: state, GANTRY_MODULE_LOG: log, CI: "true", ...env },
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const status = await new Promise((r) => child.on("close", r));
  const ms = performance.now() - t0;
  if (status !== 0) throw new Error(`gantry failed: ${stderr}`);
  if (!logModules) return { ms };
  const modules = readFileSync(log, "utf8").trim().split("\n");
  return {
    ms,
    otel: modules.filter((m) => m.includes("@opentelemetry")).length,
    modules: new Set(modules).size,
  };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
await run({}); // fill the cache
const modes = {
  "no exporter": {},
  "exporter (http/protobuf, loopback)": { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint },
};
const plans = Object.entries(modes).map(([name, env]) => [name, env, undefined]);
if (BASELINE) plans.unshift(["before this work, no exporter", {}, BASELINE]);
const counted = [];
for (const [, env, bin] of plans) counted.push(await run(env, true, bin)); // also the warm-up
// modes interleaved run by run, so a change in the machine's load hits them alike
const times = plans.map(() => []);
for (let i = 0; i < RUNS; i++)
  for (const [k, [, env, bin]] of plans.entries()) times[k].push((await run(env, false, bin)).ms);
const rows = plans.map(([name], k) => ({
  name,
  ms: median(times[k]),
  otel: counted[k].otel,
  modules: counted[k].modules,
}));
server.close();
rmSync(work, { recursive: true, force: true });
console.log(
  `| mode | median wall time (${RUNS} runs) | modules resolved | of them @opentelemetry/* |`,
);
console.log("|---|---:|---:|---:|");
for (const r of rows)
  console.log(`| ${r.name} | ${Math.round(r.ms)} ms | ${r.modules} | ${r.otel} |`);
if (rows.find((r) => r.name === "no exporter").otel !== 0) {
  console.error("FAIL: a run without OTEL_EXPORTER_OTLP_ENDPOINT loaded the OpenTelemetry SDK");
  process.exit(1);
}
