// Spike for issue 13: the bench pipeline (bench/pipeline, `ci`) solved as BuildKit LLB through dockerd's control API
// on the plain Docker socket (POST /grpc, h2c), timed side by side with `docker build` of bench/pipeline/Dockerfile,
// plus the functional probes a BuildKit runtime depends on (logs, cache, failures, exit codes, export, cache
// mounts). Node builtins only. Usage: node bench/spikes/buildkit-llb.mjs [RUNS]   (prints markdown)
// Findings are written up in docs/design-notes/performance.md, "BuildKit spike (measured)".
import { spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import http2 from "node:http2";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const SOCKET = process.env.DOCKER_SOCKET ?? "/var/run/docker.sock";
const DOCKER = process.env.DOCKER ?? "/usr/bin/docker";
const IMAGE = "gantry-test/busybox:latest";
const RUNS = Number(process.argv[2] ?? 5);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const PATH_ENV = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
const CHECKS = [
  "sleep 1; find . -type f | wc -l",
  "sleep 1; grep -rl 'export' . | wc -l",
  "sleep 1; cat $(find . -name '*.js') | wc -c",
];
const BUILD = "sleep 1; mkdir -p /out && tar -cf /out/app.tar . && ls -la /out";

// ---- protocol buffers: just enough to write LLB and SolveRequest, and read StatusResponse ----
const EMPTY = Buffer.alloc(0);
// Varints as 64-bit two's complement, so int64/int32 -1 (SkipOutput, "mode unset") encode as Go writes them.
function varint(n) {
  let v = BigInt.asUintN(64, BigInt(n));
  const out = [];
  for (; v > 0x7fn; v >>= 7n) out.push(Number(v & 0x7fn) | 0x80);
  out.push(Number(v));
  return Buffer.from(out);
}
const num = (no, n) =>
  !n ? EMPTY : Buffer.concat([varint(no * 8), varint(n === true ? 1 : n)]);
const bytes = (no, b) => Buffer.concat([varint(no * 8 + 2), varint(b.length), b]);
const str = (no, s) => (s ? bytes(no, Buffer.from(s)) : EMPTY);
const msg = (no, ...parts) => bytes(no, Buffer.concat(parts));
const strs = (no, list) => Buffer.concat(list.map((s) => bytes(no, Buffer.from(s))));
const map = (no, obj = {}) =>
  Buffer.concat(
    Object.keys(obj)
      .sort()
      .map((k) => msg(no, str(1, k), str(2, obj[k]))),
  );

// Top-level fields of a message; varints as BigInt, length-delimited as Buffer.
function decode(buf) {
  const out = [];
  let pos = 0;
  const rd = () => {
    let r = 0n;
    for (let s = 0n; ; s += 7n) {
      const b = buf[pos++];
      r |= BigInt(b & 0x7f) << s;
      if (!(b & 0x80)) return r;
    }
  };
  while (pos < buf.length) {
    const k = Number(rd());
    const [no, wt] = [k >> 3, k & 7];
    if (wt === 0) out.push({ no, v: rd() });
    else if (wt === 2 || wt === 1 || wt === 5) {
      const n = wt === 2 ? Number(rd()) : wt === 1 ? 8 : 4;
      out.push({ no, v: buf.subarray(pos, pos + n) });
      pos += n;
    } else throw new Error(`protobuf: wire type ${wt}`);
  }
  return out;
}
const one = (f, no) => f.find((x) => x.no === no)?.v;
const all = (f, no) => f.filter((x) => x.no === no).map((x) => x.v);
const millis = (b) => {
  if (!b) return undefined;
  const f = decode(b);
  return Number(one(f, 1) ?? 0n) * 1000 + Number(one(f, 2) ?? 0n) / 1e6;
};

// ---- gRPC over h2c on the Docker socket ----
const frame = (m) => {
  const h = Buffer.alloc(5);
  h.writeUInt32BE(m.length, 1);
  return Buffer.concat([h, m]);
};
// Split a byte stream into gRPC length-prefixed messages.
function deframer(onMessage) {
  let acc = EMPTY;
  return (chunk) => {
    acc = acc.length ? Buffer.concat([acc, chunk]) : chunk;
    while (acc.length >= 5 && acc.length >= 5 + acc.readUInt32BE(1)) {
      const n = acc.readUInt32BE(1);
      onMessage(acc.subarray(5, 5 + n));
      acc = acc.subarray(5 + n);
    }
  };
}

// POST <path> with Upgrade: h2c; dockerd answers 101 and the socket becomes HTTP/2.
function upgrade(pathname, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({
      socketPath: SOCKET,
      method: "POST",
      path: pathname,
      headers: { Connection: "Upgrade", Upgrade: "h2c", ...headers },
    });
    req.on("upgrade", (_res, socket, head) => {
      if (head.length) socket.unshift(head);
      resolve(socket);
    });
    req.on("response", (res) => {
      let b = "";
      res.on("data", (d) => (b += d));
      res.on("end", () => reject(new Error(`${pathname}: HTTP ${res.statusCode} ${b}`)));
    });
    req.on("error", reject);
    req.end();
  });
}

// The control API client: one HTTP/2 connection that Solve and Status share.
async function control() {
  const socket = await upgrade("/grpc");
  return http2.connect("http://docker", { createConnection: () => socket });
}

// One Control call (unary or server-streaming): every response message goes to onMessage.
function call(client, method, body, onMessage = () => {}) {
  return new Promise((resolve, reject) => {
    const req = client.request({
      ":method": "POST",
      ":path": `/moby.buildkit.v1.Control/${method}`,
      "content-type": "application/grpc",
      te: "trailers",
    });
    let status;
    let message = "";
    const take = (h) => {
      if (h["grpc-status"] === undefined) return;
      status = Number(h["grpc-status"]);
      message = decodeURIComponent(String(h["grpc-message"] ?? ""));
    };
    req.on("response", take);
    req.on("trailers", take);
    req.on("data", deframer(onMessage));
    req.on("error", reject);
    req.on("close", () => resolve({ status: status ?? -1, message }));
    req.end(frame(body));
  });
}

// ---- the session: dockerd calls us back for local files (FileSync) and exports (FileSend) ----
const DIFF_COPY = "/moby.filesync.v1.FileSync/DiffCopy";
const FILE_SEND = "/moby.filesync.v1.FileSend/DiffCopy";
const HEALTH = "/grpc.health.v1.Health/Check";

// Open a session serving `dirs` (local name -> directory); `sharedKey` lets dockerd reuse its last copy of a dir.
async function openSession(dirs, sharedKey) {
  const id = randomBytes(16).toString("hex");
  const socket = await upgrade("/session", {
    "X-Docker-Expose-Session-Uuid": id,
    "X-Docker-Expose-Session-Name": "gantry-spike",
    "X-Docker-Expose-Session-Sharedkey": sharedKey,
    "X-Docker-Expose-Session-Grpc-Method": [DIFF_COPY, FILE_SEND, HEALTH],
  });
  const stats = { files: 0, bytes: 0, exported: [] };
  const server = http2.createServer();
  server.on("stream", (stream, headers) => {
    stream.on("error", () => undefined);
    stream.respond({ ":status": 200, "content-type": "application/grpc" }, { waitForTrailers: true });
    stream.on("wantTrailers", () => stream.sendTrailers({ "grpc-status": "0" }));
    const p = String(headers[":path"]);
    if (p === HEALTH) return stream.end(frame(num(1, 1)));
    if (p === DIFF_COPY) return sendDir(stream, dirs[String(headers["dir-name"])], stats);
    if (p === FILE_SEND) return receiveBytes(stream, stats);
    stream.end();
  });
  server.emit("connection", socket);
  return {
    id,
    stats,
    close() {
      socket.destroy();
      server.close();
    },
  };
}

// fsutil's sender: STAT packets in walk order (then an empty STAT), DATA for each file the receiver REQuests by
// index, FIN answered with FIN. Packet{type=1, stat=2, ID=3, data=4}; Stat{path=1, mode=2 (Go FileMode), uid=3,
// gid=4, size=5, modTime=6 (ns)}. uid/gid 0, as the docker CLI sends its build context.
function sendDir(stream, dir, stats) {
  const entries = walk(dir);
  const send = (p) => stream.write(frame(p));
  for (const e of entries)
    send(msg(2, str(1, e.rel), num(2, e.mode), num(5, e.size), num(6, e.mtime)));
  send(EMPTY);
  stream.on(
    "data",
    deframer((m) => {
      const f = decode(m);
      const type = Number(one(f, 1) ?? 0n);
      if (type === 1) {
        const id = Number(one(f, 3) ?? 0n);
        const data = fs.readFileSync(entries[id].abs);
        for (let o = 0; o < data.length; o += 32768)
          send(Buffer.concat([num(1, 2), num(3, id), bytes(4, data.subarray(o, o + 32768))]));
        send(Buffer.concat([num(1, 2), num(3, id)]));
        stats.files++;
        stats.bytes += data.length;
      } else if (type === 3) {
        send(num(1, 3));
        stream.end();
      } else if (type === 4) stream.end();
    }),
  );
}

// The tar/local exporters' FileSend: BytesMessage{data=1} chunks until the sender closes.
function receiveBytes(stream, stats) {
  const chunks = [];
  stream.on(
    "data",
    deframer((m) => chunks.push(one(decode(m), 1) ?? EMPTY)),
  );
  stream.on("end", () => {
    stats.exported.push(Buffer.concat(chunks));
    stream.end();
  });
}

// Entries in fsutil's walk order (lexical per directory, a directory before its children).
function walk(dir) {
  const out = [];
  const rec = (rel) => {
    for (const name of fs.readdirSync(path.join(dir, rel)).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      const abs = path.join(dir, r);
      const st = fs.lstatSync(abs, { bigint: true });
      const isDir = st.isDirectory();
      out.push({
        rel: r,
        abs,
        mode: Number(st.mode & 0o777n) + (isDir ? 2 ** 31 : 0),
        size: st.isFile() ? st.size : 0n,
        mtime: st.mtimeNs,
      });
      if (isDir) rec(r);
    }
  };
  rec("");
  return out;
}

// ---- LLB (solver/pb/ops.proto of BuildKit v0.8, what Debian's dockerd 20.10 vendors) ----
const PLATFORM = msg(10, str(1, "amd64"), str(2, "linux"));
const input = (digest, index = 0) => msg(1, str(1, digest), num(2, index));

// Ops in dependency order plus a name per op (Definition.metadata description "llb.customname").
class Graph {
  ops = [];
  names = {};
  add(op, name) {
    const d = `sha256:${createHash("sha256").update(op).digest("hex")}`;
    if (!this.ops.some((o) => o.d === d)) this.ops.push({ d, op });
    if (name) this.names[d] = name;
    return d;
  }
  // Definition{def=1 (marshalled Ops), metadata=2}; the last op has only an input: the result.
  definition(result, index = 0) {
    this.add(input(result, index));
    return Buffer.concat([
      ...this.ops.map((o) => bytes(1, o.op)),
      ...Object.entries(this.names).map(([d, n]) =>
        msg(2, str(1, d), msg(2, map(2, { "llb.customname": n }))),
      ),
    ]);
  }
}
const sourceOp = (identifier, attrs) =>
  Buffer.concat([msg(3, str(1, identifier), map(2, attrs)), PLATFORM]);
// FileOp copy of `src` (secondary input) into `dest` of `base`, as the Dockerfile frontend writes COPY.
const copyOp = (base, src, dest) =>
  Buffer.concat([
    input(base),
    input(src),
    msg(
      4,
      msg(
        2,
        num(2, 1),
        msg(4, str(1, "/"), str(2, dest), num(4, -1), num(5, 1), num(6, 1), num(8, 1), num(11, -1)),
      ),
    ),
    PLATFORM,
  ]);
// ExecOp{meta=1{args=1, env=2, cwd=3}, mounts=2}; extra mounts: {digest, dest, readonly, output} or a cache mount.
function execOp(root, args, { env = [], cwd = "/", mounts = [] } = {}) {
  const inputs = [root];
  const ms = [msg(2, str(3, "/"))];
  let out = 1;
  for (const m of mounts) {
    if (m.cache) {
      ms.push(msg(2, num(1, -1), str(3, m.dest), num(4, -1), num(6, 3), msg(20, str(1, m.cache))));
      continue;
    }
    const idx = m.digest ? inputs.push(m.digest) - 1 : -1;
    ms.push(msg(2, num(1, idx), str(3, m.dest), num(4, m.output ? out++ : -1), num(5, m.readonly)));
  }
  const meta = msg(1, strs(1, args), strs(2, [PATH_ENV, ...env]), str(3, cwd));
  return Buffer.concat([...inputs.map((d) => input(d)), msg(2, meta, ...ms), PLATFORM]);
}

// The bench pipeline: base + /src, three checks in parallel, a build that mounts all three (so depends on them).
function pipeline(src) {
  const g = new Graph();
  const base = g.add(sourceOp(`docker-image://docker.io/${IMAGE}`), `from ${IMAGE}`);
  const s =
    src.local !== undefined
      ? g.add(sourceOp(`local://${src.local}`, { "local.unique": src.unique }), "local source")
      : g.add(sourceOp(`docker-image://${src.image}`), "source image");
  const copied = g.add(copyOp(base, s, "/src"), "copy /src");
  const checks = CHECKS.map((c, i) =>
    g.add(execOp(copied, ["sh", "-c", c], { cwd: "/src" }), `check ${i + 1}`),
  );
  const mounts = checks.map((digest, i) => ({ digest, dest: `/checks/${i + 1}`, readonly: true }));
  const build = g.add(execOp(copied, ["sh", "-c", BUILD], { cwd: "/src", mounts }), "build");
  return { def: g.definition(build), checks, build };
}

// Solve a definition with Status streamed alongside; returns per-vertex name/cached/timing/error/stdout/stderr.
async function solve(def, { session, exporter, exporterAttrs } = {}) {
  const client = await control();
  const ref = `gantry-spike-${randomBytes(8).toString("hex")}`;
  const vx = new Map();
  const get = (d) => vx.get(d) ?? vx.set(d, { stdout: [], stderr: [] }).get(d);
  const status = call(client, "Status", str(1, ref), (m) => {
    const f = decode(m);
    for (const v of all(f, 1)) {
      const g = decode(v);
      const e = get(String(one(g, 1)));
      e.name = String(one(g, 3) ?? e.name);
      e.cached ||= Boolean(one(g, 4));
      e.started ??= millis(one(g, 5));
      e.completed = millis(one(g, 6)) ?? e.completed;
      if (one(g, 7)) e.error = String(one(g, 7));
    }
    for (const l of all(f, 3)) {
      const g = decode(l);
      const e = get(String(one(g, 1)));
      (Number(one(g, 3) ?? 1n) === 2 ? e.stderr : e.stdout).push(one(g, 4) ?? EMPTY);
    }
  });
  const req = Buffer.concat([
    str(1, ref),
    msg(2, def),
    str(3, exporter),
    map(4, exporterAttrs),
    str(5, session),
  ]);
  const exporterResponse = {};
  const res = await call(client, "Solve", req, (m) => {
    for (const e of all(decode(m), 1))
      exporterResponse[String(one(decode(e), 1))] = String(one(decode(e), 2) ?? "");
  });
  await status;
  client.close();
  for (const e of vx.values()) {
    e.stdout = Buffer.concat(e.stdout).toString();
    e.stderr = Buffer.concat(e.stderr).toString();
  }
  return { ...res, vx, exporterResponse };
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

async function llbLocal(srcDir, unique, opts = {}) {
  const session = await openSession({ src: srcDir }, `gantry-spike:${srcDir}`);
  try {
    const { def } = pipeline({ local: "src", unique });
    const res = ensureOk(await solve(def, { session: session.id, ...opts }), "llb local");
    return { res, synced: session.stats.files };
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
  sh(DOCKER, ["build", ...(noCache ? ["--no-cache"] : []), "-q", "--build-arg", `IMAGE=${IMAGE}`, ctx], {
    DOCKER_BUILDKIT: "1",
  });

function bust(srcDir) {
  for (const f of fs.readdirSync(srcDir)) if (f.startsWith("bust-")) fs.rmSync(path.join(srcDir, f));
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
    const inspect = sh(DOCKER, ["image", "inspect", "--format", "{{.Id}} {{.Size}}", attrs.exporterAttrs.name]);
    exported = { response: ex.r.res.exporterResponse, inspect: inspect.trim() };
    add("LLB local:// + moby export (cached)", (await time(() => llbLocal(srcDir, u, attrs))).ms);
    tags.push(`gantry-spike/out:${u}`);

    u = bust(srcDir);
    const tag = `gantry-spike/src:${u}`;
    tags.push(tag);
    const imp = importSource(srcDir, tag);
    add("docker import of the source (part of the next row)", imp);
    add("LLB docker-image:// source incl. import (cold)", imp + (await time(() => llbImage(tag))).ms);
    add("LLB docker-image:// (fully cached re-solve)", (await time(() => llbImage(tag))).ms);
  }
  if (tags.length) spawnSync(DOCKER, ["rmi", ...tags], { stdio: "ignore" });
  return { t, last, lastWarm, synced, exported };
}

// ---- functional probes (answers, not timings) ----
async function probes() {
  const out = [];
  const g1 = new Graph();
  const base = g1.add(sourceOp(`docker-image://docker.io/${IMAGE}`));
  const fail = g1.add(execOp(base, ["sh", "-c", "echo to-stdout; echo to-stderr >&2; exit 3"]), "fails");
  const r1 = await solve(g1.definition(fail));
  const v1 = r1.vx.get(fail);
  out.push(
    `- failing exec: Solve grpc-status ${r1.status}, message \`${r1.message}\`; vertex error \`${v1?.error}\`; ` +
      `stdout ${JSON.stringify(v1?.stdout)}, stderr ${JSON.stringify(v1?.stderr)}`,
  );

  const nonce = randomBytes(4).toString("hex");
  const g2 = new Graph();
  const b2 = g2.add(sourceOp(`docker-image://docker.io/${IMAGE}`));
  const echo = g2.add(execOp(b2, ["sh", "-c", `echo hello ${nonce}; echo warn >&2`]), "echo");
  const def2 = g2.definition(echo);
  const first = (await solve(def2)).vx.get(echo);
  const again = (await solve(def2)).vx.get(echo);
  out.push(
    `- same exec solved twice: first cached=${first.cached} stdout ${JSON.stringify(first.stdout)} stderr ` +
      `${JSON.stringify(first.stderr)}; second cached=${again.cached} stdout ${JSON.stringify(again.stdout)} ` +
      `stderr ${JSON.stringify(again.stderr)} (both found under the op digest we computed: ${first !== undefined && again !== undefined})`,
  );

  const g3 = new Graph();
  const b3 = g3.add(sourceOp(`docker-image://docker.io/${IMAGE}`));
  const big = g3.add(
    execOp(b3, ["sh", "-c", `head -c 600000 /dev/zero | tr '\\0' x | fold -w 99; echo ${nonce}`]),
    "600 kB of stdout",
  );
  const v3 = (await solve(g3.definition(big))).vx.get(big);
  out.push(
    `- an exec writing 600,000 bytes of stdout at once: the Status stream delivered ${v3.stdout.length} bytes` +
      (v3.stdout.includes("clipped") ? ` (with \`${v3.stdout.match(/\[output clipped[^\]]*\]/)?.[0]}\`)` : ""),
  );

  // expect: ANY without failing the solve: a shell wrapper writes the exit code (and output) into a /meta mount
  // (output 1 of the exec); a FileOp collects every step's /meta into one tree, exported through the tar exporter.
  const session = await openSession({}, "gantry-spike-meta");
  try {
    const g4 = new Graph();
    const b4 = g4.add(sourceOp(`docker-image://docker.io/${IMAGE}`));
    const wrap = (cmd) => [
      "sh",
      "-c",
      'sh -c "$1" >/meta/stdout 2>/meta/stderr; echo $? >/meta/exit',
      "shim",
      cmd,
    ];
    const steps = [`echo out ${nonce}; exit 3`, "echo fine"].map((c, i) =>
      g4.add(execOp(b4, wrap(c), { mounts: [{ dest: "/meta", output: true }] }), `step ${i}`),
    );
    let acc;
    steps.forEach((d, i) => {
      const dest = `/step${i}`;
      const op = Buffer.concat([
        ...(acc ? [input(acc)] : []),
        input(d, 1),
        msg(
          4,
          msg(
            2,
            num(1, acc ? 0 : -1),
            num(2, acc ? 1 : 0),
            msg(4, str(1, "/"), str(2, dest), num(4, -1), num(6, 1), num(8, 1), num(11, -1)),
          ),
        ),
        PLATFORM,
      ]);
      acc = g4.add(op, `collect ${dest}`);
    });
    const t0 = performance.now();
    const r4 = await solve(g4.definition(acc), { session: session.id, exporter: "tar" });
    const ms = performance.now() - t0;
    const files = untar(session.stats.exported[0] ?? EMPTY);
    out.push(
      `- expect ANY via a shim + /meta mount, collected by FileOp and exported with the tar exporter ` +
        `(${Math.round(ms)} ms, grpc-status ${r4.status}${r4.message ? ` ${r4.message}` : ""}): ` +
        JSON.stringify(files),
    );
  } finally {
    session.close();
  }

  // Bare exec cost: three parallel `true` execs on a cached base, then one after them.
  const g6 = new Graph();
  const b6 = g6.add(sourceOp(`docker-image://docker.io/${IMAGE}`));
  const trues = [1, 2, 3].map((i) => g6.add(execOp(b6, ["true"], { env: [`N=${nonce}${i}`] }), `true ${i}`));
  const mounts6 = trues.map((digest, i) => ({ digest, dest: `/t${i}`, readonly: true }));
  const last6 = g6.add(execOp(b6, ["true"], { env: [`N=${nonce}`], mounts: mounts6 }), "true after");
  const t6 = await time(() => solve(g6.definition(last6)));
  const d6 = [...trues, last6].map((d) => {
    const v = t6.r.vx.get(d);
    return Math.round(v.completed - v.started);
  });
  out.push(
    `- bare execs (\`true\`): three in parallel then one: vertex times ${d6.join(", ")} ms; whole solve ${Math.round(t6.ms)} ms`,
  );

  // Cache mount: two solves append to the same cache mount id; the second sees the first one's line.
  const lines = [];
  for (const n of [1, 2]) {
    const g5 = new Graph();
    const b5 = g5.add(sourceOp(`docker-image://docker.io/${IMAGE}`));
    const e = g5.add(
      execOp(b5, ["sh", "-c", `echo run${n}-${nonce} >> /cache/log; cat /cache/log | wc -l`], {
        mounts: [{ dest: "/cache", cache: `gantry-spike-${nonce}` }],
      }),
      `cache mount ${n}`,
    );
    lines.push((await solve(g5.definition(e))).vx.get(e)?.stdout.trim());
  }
  out.push(`- cache mount (type=cache, id per volume): lines in the mount after solve 1 and 2: ${lines.join(", ")}`);
  return out;
}

// Files of a tar (ustar headers; regular files only) as name -> content.
function untar(buf) {
  const files = {};
  for (let o = 0; o + 512 <= buf.length; ) {
    const name = buf.subarray(o, o + 100).toString().replace(/\0.*$/s, "");
    if (!name) break;
    const size = parseInt(buf.subarray(o + 124, o + 136).toString().replace(/\0.*$/s, "").trim() || "0", 8);
    if (buf[o + 156] === 48 || buf[o + 156] === 0) files[name] = buf.subarray(o + 512, o + 512 + size).toString();
    o += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), "gantry-bk-spike-"));
try {
  const probeLines = process.env.SKIP_PROBES ? [] : await probes();
  const { t, last, lastWarm, synced, exported } = RUNS > 0 ? await measure(work) : { t: {} };
  console.log(`## BuildKit LLB spike — ${RUNS} runs, medians (min–max), 200-file tree, ${new Date().toISOString()}\n`);
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
  if (exported) console.log(`\nmoby export: response ${JSON.stringify(exported.response)}; image ${exported.inspect}`);
  if (probeLines.length) console.log(`\nProbes:\n\n${probeLines.join("\n")}`);
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
