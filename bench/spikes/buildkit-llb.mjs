// Spike for issue 13: the bench pipeline (bench/pipeline, `ci`) solved as BuildKit LLB through dockerd's control API
// on the plain Docker socket (POST /grpc, h2c), timed side by side with `docker build` of bench/pipeline/Dockerfile,
// plus the functional probes a BuildKit runtime depends on (logs, cache, failures, exit codes, export, cache
// mounts). Node builtins only. Usage: node bench/spikes/buildkit-llb.mjs [RUNS]   (prints markdown)
// Findings are written up in docs/design-notes/performance.md, "BuildKit spike (measured)".
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { solve } from "./buildkit-llb/control.mjs";
import { Graph, copyOp, execOp, sourceOp } from "./buildkit-llb/llb.mjs";
import { probes } from "./buildkit-llb/probes.mjs";
import { openSession } from "./buildkit-llb/session.mjs";

const DOCKER = process.env.DOCKER ?? "/usr/bin/docker";
const IMAGE = "gantry-test/busybox:latest";
const RUNS = Number(process.argv[2] ?? 5);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const CHECKS = [
  "sleep 1; find . -type f | wc -l",
  "sleep 1; grep -rl 'export' . | wc -l",
  "sleep 1; cat $(find . -name '*.js') | wc -c",
];
const BUILD = "sleep 1; mkdir -p /out && tar -cf /out/app.tar . && ls -la /out";

// The base image with the source copied to /src; a local source carries its content key in local.unique.
function withSource(g, src) {
  const base = g.add(sourceOp(`docker-image://docker.io/${IMAGE}`), `from ${IMAGE}`);
  const s =
    src.local !== undefined
      ? g.add(sourceOp(`local://${src.local}`, { "local.unique": src.unique }), "local source")
      : g.add(sourceOp(`docker-image://${src.image}`), "source image");
  return g.add(copyOp(base, s, "/src"), "copy /src");
}

// The bench pipeline: base + /src, three checks in parallel, a build that mounts all three (so depends on them).
function pipeline(src, network = 0) {
  const g = new Graph();
  const copied = withSource(g, src);
  const checks = CHECKS.map((c, i) =>
    g.add(execOp(copied, ["sh", "-c", c], { cwd: "/src", network }), `check ${i + 1}`),
  );
  const mounts = checks.map((digest, i) => ({ digest, dest: `/checks/${i + 1}`, readonly: true }));
  const build = g.add(
    execOp(copied, ["sh", "-c", BUILD], { cwd: "/src", mounts, network }),
    "build",
  );
  return { def: g.definition(build), checks, build };
}

// ---- the measured variants ----
const time = async (fn) => {
  const t = performance.now();
  const r = await fn();
  return { ms: performance.now() - t, r };
};
const sh = (cmd, args, env = {}) => {
  const r = spawnSync(cmd, args, { env: { ...process.env, ...env }, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")}: ${r.stderr || r.stdout}`);
  return r.stdout;
};
const ensureOk = (res, what) => {
  if (res.status !== 0) throw new Error(`${what}: grpc-status ${res.status}: ${res.message}`);
  return res;
};

async function llbLocal(srcDir, unique, opts = {}, network = 0) {
  const session = await openSession({ src: srcDir }, `gantry-spike:${srcDir}`);
  try {
    const { def } = pipeline({ local: "src", unique }, network);
    const res = ensureOk(await solve(def, { session: session.id, ...opts }), "llb local");
    return { res, synced: session.stats.files };
  } finally {
    session.close();
  }
}

// As Gantry's engine would ask (index.ts awaits each check, then the build): one Solve per await, three at once,
// then one, over one session; BuildKit shares the common vertices (base, source, copy) between concurrent solves.
async function llbPerAwait(srcDir, unique) {
  const session = await openSession({ src: srcDir }, `gantry-spike:${srcDir}`);
  const one = (cmd, name) => {
    const g = new Graph();
    const e = g.add(
      execOp(withSource(g, { local: "src", unique }), ["sh", "-c", cmd], { cwd: "/src" }),
      name,
    );
    return solve(g.definition(e), { session: session.id }).then((r) => ensureOk(r, name));
  };
  try {
    await Promise.all(CHECKS.map((c, i) => one(c, `check ${i + 1}`)));
    await one(BUILD, "build");
    return session.stats.files;
  } finally {
    session.close();
  }
}

// The source as an image: `docker import` of a tar of the tree (what a layer made once would be).
function importSource(srcDir, tag) {
  const t = performance.now();
  sh("sh", ["-c", `tar -C '${srcDir}' -cf - . | ${DOCKER} import - ${tag} >/dev/null`]);
  return performance.now() - t;
}
async function llbImage(tag) {
  const { def } = pipeline({ image: `docker.io/${tag}` });
  return ensureOk(await solve(def), "llb image");
}
const dockerBuild = (ctx, noCache) =>
  sh(
    DOCKER,
    ["build", ...(noCache ? ["--no-cache"] : []), "-q", "--build-arg", `IMAGE=${IMAGE}`, ctx],
    {
      DOCKER_BUILDKIT: "1",
    },
  );

function bust(srcDir) {
  for (const f of fs.readdirSync(srcDir))
    if (f.startsWith("bust-")) fs.rmSync(path.join(srcDir, f));
  const v = randomBytes(8).toString("hex");
  fs.writeFileSync(path.join(srcDir, `bust-${v}.txt`), `${v}\n`);
  return v;
}

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  return `${Math.round(m)} ms (${Math.round(s[0])}–${Math.round(s[s.length - 1])})`;
};

async function measure(work) {
  const ctx = path.join(work, "ctx");
  const srcDir = path.join(ctx, "src");
  sh(process.execPath, [path.join(ROOT, "bench/gen-tree.mjs"), srcDir, "200"]);
  fs.copyFileSync(path.join(ROOT, "bench/pipeline/Dockerfile"), path.join(ctx, "Dockerfile"));
  const t = {};
  const add = (k, ms) => (t[k] ??= []).push(ms);
  const tags = [];
  const synced = { cold: [], cached: [] };
  let last;
  let lastWarm;
  let exported;
  for (let i = 0; i < RUNS; i++) {
    bust(srcDir);
    add("docker build --no-cache (cold)", (await time(() => dockerBuild(ctx, true))).ms);
    add("docker build (fully cached)", (await time(() => dockerBuild(ctx, false))).ms);

    let u = bust(srcDir);
    const cold = await time(() => llbLocal(srcDir, u));
    add("LLB local:// (cold)", cold.ms);
    const warm = await time(() => llbLocal(srcDir, u));
    add("LLB local:// (fully cached re-solve)", warm.ms);
    [last, lastWarm] = [cold.r, warm.r];
    synced.cold.push(cold.r.synced);
    synced.cached.push(warm.r.synced);

    u = bust(srcDir);
    const attrs = { exporter: "moby", exporterAttrs: { name: `gantry-spike/out:${u}` } };
    const ex = await time(() => llbLocal(srcDir, u, attrs));
    add("LLB local:// + moby export (cold)", ex.ms);
    const inspect = sh(DOCKER, [
      "image",
      "inspect",
      "--format",
      "{{.Id}} {{.Size}}",
      attrs.exporterAttrs.name,
    ]);
    exported = { response: ex.r.res.exporterResponse, inspect: inspect.trim() };
    add("LLB local:// + moby export (cached)", (await time(() => llbLocal(srcDir, u, attrs))).ms);
    tags.push(`gantry-spike/out:${u}`);

    u = bust(srcDir);
    add(
      "LLB local://, execs with network none (cold)",
      (await time(() => llbLocal(srcDir, u, {}, 2))).ms,
    );

    u = bust(srcDir);
    add(
      "LLB local://, one Solve per await: 3 at once, then 1 (cold)",
      (await time(() => llbPerAwait(srcDir, u))).ms,
    );
    add(
      "LLB local://, one Solve per await (fully cached)",
      (await time(() => llbPerAwait(srcDir, u))).ms,
    );

    u = bust(srcDir);
    const tag = `gantry-spike/src:${u}`;
    tags.push(tag);
    const imp = importSource(srcDir, tag);
    add("docker import of the source (part of the next row)", imp);
    add(
      "LLB docker-image:// source incl. import (cold)",
      imp + (await time(() => llbImage(tag))).ms,
    );
    add("LLB docker-image:// (fully cached re-solve)", (await time(() => llbImage(tag))).ms);
  }
  if (tags.length) spawnSync(DOCKER, ["rmi", ...tags], { stdio: "ignore" });
  return { t, last, lastWarm, synced, exported };
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), "gantry-bk-spike-"));
try {
  const probeLines = process.env.SKIP_PROBES ? [] : await probes(IMAGE);
  const { t, last, lastWarm, synced, exported } = RUNS > 0 ? await measure(work) : { t: {} };
  console.log(
    `## BuildKit LLB spike — ${RUNS} runs, medians (min–max), 200-file tree, ${new Date().toISOString()}\n`,
  );
  console.log("| variant | wall time |\n|---|---:|");
  for (const [k, v] of Object.entries(t)) console.log(`| ${k} | ${stats(v)} |`);
  if (last) {
    console.log(`\nLast cold local solve: ${last.synced} files sent over FileSync; per vertex:\n`);
    console.log("| vertex | cached | ms | stdout |\n|---|---|---:|---|");
    for (const v of last.res.vx.values())
      console.log(
        `| ${v.name} | ${v.cached} | ${v.completed && v.started ? Math.round(v.completed - v.started) : ""} | ` +
          `${JSON.stringify(v.stdout.trim().slice(0, 60))} |`,
      );
  }
  if (lastWarm)
    console.log(
      `\nLast fully cached re-solve, cached per vertex: ${[...lastWarm.res.vx.values()].map((v) => `${v.name}=${v.cached}`).join(", ")}`,
    );
  if (synced)
    console.log(
      `\nFiles dockerd requested over FileSync per run: cold ${synced.cold.join(", ")}; cached ${synced.cached.join(", ")}`,
    );
  if (exported)
    console.log(
      `\nmoby export: response ${JSON.stringify(exported.response)}; image ${exported.inspect}`,
    );
  if (probeLines.length) console.log(`\nProbes:\n\n${probeLines.join("\n")}`);
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
