// Switch-over time of the docker deploy target: N deploys of the example app (examples/deploy-docker), alternating two
// versions, under a load of HTTP requests (new connections and keep-alive), through the built CLI on the local engine.
// Prints a Markdown section for bench/RESULTS.md. Usage: node bench/deploy-switch.mjs [deploys=6]
// Needs `npm run build`, a Docker engine and the test images (gantry-test/node, gantry-test/nginx).
import { execFileSync, spawn } from "node:child_process";
import { cpSync, mkdtempSync, writeFileSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "..");
const N = Number(process.argv[2] ?? 6);
const WORK = mkdtempSync(path.join(os.tmpdir(), "gantry-bench-deploy-"));
const DIR = path.join(WORK, "app");
cpSync(path.join(ROOT, "examples/deploy-docker"), DIR, { recursive: true });
const APP = `bench-${Date.now().toString(36)}`;
const env = {
  ...process.env,
  CI: "true",
  GANTRY_STATE_DIR: path.join(WORK, "state"),
  GANTRY_DEPLOY_PROXY_IMAGE: process.env.BENCH_PROXY_IMAGE ?? "gantry-test/nginx:bookworm",
};
const IMAGE = process.env.BENCH_NODE_IMAGE ?? "gantry-test/node:bookworm";

// A free loopback port for the proxy.
const port = await new Promise((resolve) => {
  const s = net.createServer().listen(0, "127.0.0.1", () => {
    const p = s.address().port;
    s.close(() => resolve(p));
  });
});

// One deploy through the CLI; its reported switch/drain times and the wall time.
function deployOnce(version) {
  writeFileSync(path.join(DIR, "VERSION"), `${version}\n`);
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const args = [path.join(ROOT, "bin/gantry.js"), "call", `--image=${IMAGE}`, "deploy"];
    const child = spawn("node", [...args, `--app=${APP}`, `--port=${port}`, "--force"], {
      cwd: DIR,
      env,
    });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.on("close", (code) => {
      const m = /switch (\d+) ms, drain (\d+) ms/.exec(out);
      if (code !== 0 || !m) return reject(new Error(`deploy ${version} failed:\n${out}`));
      resolve({
        version,
        switchMs: Number(m[1]),
        drainMs: Number(m[2]),
        wallMs: Date.now() - t0,
        start: t0,
        end: Date.now(),
      });
    });
  });
}

// The load: 2 loops with a new connection per request, 2 with keep-alive (retrying a request that failed on a reused
// connection the server closed, as RFC 9112 §9.3.1 allows for GET and browsers do).
const seen = [];
const failures = [];
let retries = 0;
let stop = false;
const agent = new http.Agent({ keepAlive: true, maxSockets: 2 });
// Responses per socket: reuse is tracked here because Node's agent does not set `req.reusedSocket` when it hands a
// freed socket straight to a queued request (see test/helpers/load-generator.ts).
const answered = new WeakMap();
const get = (a) =>
  new Promise((resolve, reject) => {
    let sock;
    let reused = false;
    const req = http.get(`http://127.0.0.1:${port}/`, { agent: a, timeout: 10_000 }, (res) => {
      let body = "";
      res.on("data", (c) => (body += c));
      res.on("end", () => {
        if (sock) answered.set(sock, (answered.get(sock) ?? 0) + 1);
        resolve({ status: res.statusCode, body: body.trim() });
      });
    });
    req.on("socket", (s) => {
      sock = s;
      reused = req.reusedSocket || (answered.get(s) ?? 0) > 0;
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", (e) => reject(Object.assign(e, { reused })));
  });
async function loop(a) {
  while (!stop) {
    let r;
    for (let i = 0; !r; i++) {
      try {
        r = await get(a);
      } catch (e) {
        if (a && e.reused && e.code === "ECONNRESET" && i < 3) {
          retries++;
          continue;
        }
        failures.push(e.message);
        break;
      }
    }
    if (r && r.status !== 200) failures.push(`status ${r.status}`);
    if (r) seen.push({ at: Date.now(), body: r.body });
  }
}

const results = [];
try {
  results.push(await deployOnce("v0"));
  const loops = [loop(false), loop(false), loop(agent), loop(agent)];
  for (let i = 1; i <= N; i++) results.push(await deployOnce(`v${i}`));
  stop = true;
  await Promise.all(loops);
} finally {
  stop = true;
  const ids = execFileSync("docker", ["ps", "-aq", "--filter", `label=gantry.deploy.app=${APP}`], {
    encoding: "utf8",
  })
    .split("\n")
    .filter(Boolean);
  if (ids.length) execFileSync("docker", ["rm", "-f", ...ids]);
  execFileSync("docker", ["network", "rm", `gantry-deploy-${APP}`], { stdio: "ignore" });
  const imgs = execFileSync("docker", ["images", "-q", `gantry-deploy/${APP}`], {
    encoding: "utf8",
  })
    .split("\n")
    .filter(Boolean);
  if (imgs.length) execFileSync("docker", ["rmi", "-f", ...new Set(imgs)], { stdio: "ignore" });
}

// As the clients saw it: for each deploy, the first answer from the new version and the last from the old one.
const switches = results.slice(1).map((r, i) => {
  const oldBody = `hello from v${i}`;
  const newBody = `hello from ${r.version}`;
  const firstNew = seen.find((s) => s.body === newBody)?.at ?? NaN;
  const lastOld = [...seen].reverse().find((s) => s.body === oldBody)?.at ?? NaN;
  return { ...r, overlapMs: lastOld - firstNew };
});
const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const line = (k) =>
  `${med(switches.map((s) => s[k]))} ms (min ${Math.min(...switches.map((s) => s[k]))}, max ${Math.max(...switches.map((s) => s[k]))})`;
console.log(`## Deploy switch-over (docker target)

Measured by \`node bench/deploy-switch.mjs ${N}\` on ${new Date().toISOString().slice(0, 10)}: ${N} deploys of examples/deploy-docker
(alternating versions, \`--force\`), nginx ${"(gantry-test/nginx:bookworm, Debian's 1.22)"} in front, under load from 4 client loops
(2 new-connection, 2 keep-alive) — ${seen.length} requests, **${failures.length} failed**, ${retries} keep-alive retries
(a GET on a reused idle socket the old worker closed, retried as RFC 9112 §9.3.1 allows).

| per deploy (median of ${N}) | |
|---|---:|
| reload sent → new nginx workers serving (\`switch\`) | ${line("switchMs")} |
| reload sent → old workers gone, old release stopped next (\`drain\`) | ${line("drainMs")} |
| old and new both answering, as clients saw it | ${line("overlapMs")} |
| whole \`gantry call deploy\` (CLI start, image build with the new VERSION, start, health, switch, stop) | ${line("wallMs")} |
`);
if (failures.length) console.log("failures:", failures.slice(0, 10));
