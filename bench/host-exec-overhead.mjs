// The host runtime exists for a fast local loop: what one trivial exec costs over spawning the process directly.
// A measurement, not a test (a busy machine moves it): bench/run.sh prints it into RESULTS.md. Needs `npm run build`.
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { HostRuntime } from "../dist/runtime/host/host-runtime.js";
import { ContentStore } from "../dist/store/content-store.js";

const HOST_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
const ROUNDS = 40;

const root = await mkdtemp(path.join(tmpdir(), "gantry-host-bench-"));
const store = new ContentStore(path.join(root, "store"));
await store.init();

/** Median milliseconds of `fn` over `rounds` runs, after one warm-up. */
async function median(fn, rounds = ROUNDS) {
  await fn();
  const times = [];
  for (let i = 0; i < rounds; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b)[Math.floor(rounds / 2)];
}

function spawnTrue(file, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: "ignore" });
    child.on("error", reject);
    child.on("close", () => resolve());
  });
}

function spec(base, over = {}) {
  return {
    step: "bench",
    digest: "sha256:bench",
    base,
    ops: [],
    args: ["true"],
    env: [`PATH=${HOST_PATH}`],
    secretEnv: {},
    workdir: "/",
    user: "",
    mounts: [],
    signal: new AbortController().signal,
    ...over,
  };
}

/** A source-like tree: `files` small files spread over directories of 50. */
async function sourceTree(files) {
  const entries = {};
  for (let i = 0; i < files; i++) {
    const dir = `src/d${Math.floor(i / 50)}`;
    entries["src"] = { type: "dir", mode: 0o755 };
    entries[dir] = { type: "dir", mode: 0o755 };
    const text = `export const n${i} = ${i};\n`;
    entries[`${dir}/f${i}.ts`] = {
      type: "file",
      mode: 0o644,
      digest: await store.putBytes(text),
      size: text.length,
    };
  }
  return { entries };
}

const bw = new HostRuntime({
  store,
  runId: "bench-bw",
  stateDir: root,
  hostPath: HOST_PATH,
  useBubblewrap: true,
});
const plain = new HostRuntime({
  store,
  runId: "bench-pl",
  stateDir: root,
  hostPath: HOST_PATH,
  useBubblewrap: false,
});
const copies = new HostRuntime({
  store,
  runId: "bench-cp",
  stateDir: root,
  hostPath: HOST_PATH,
  useBubblewrap: true,
  overlayFromEntries: Infinity,
});
const empty = await bw.scratch();
const direct = await median(() => spawnTrue("/usr/bin/true", []));
const bwrapOnly = await median(() =>
  spawnTrue("bwrap", [
    "--die-with-parent",
    "--unshare-pid",
    "--ro-bind",
    "/",
    "/",
    "--proc",
    "/proc",
    "true",
  ]),
);
const viaBw = await median(() => bw.exec(spec(empty)));
const viaPlain = await median(() => plain.exec(spec(empty)));
const src = await bw.applyOps(
  empty,
  [{ op: "put", path: "/", tree: await sourceTree(1000) }],
  new AbortController().signal,
);
const bw1000 = await median(() => bw.exec(spec(src, { workdir: "/src" })), 5);
const copied1000 = await median(() => copies.exec(spec(src, { workdir: "/src" })), 5);
// a tree no exec has used yet: its lower directory is written first (hard links to the store's blobs)
let fresh = 0;
const bw1000New = await median(async () => {
  const text = `${++fresh}\n`;
  const mark = { type: "file", mode: 0o644, digest: await store.putBytes(text), size: text.length };
  const tree = await bw.applyOps(
    src,
    [{ op: "putFile", path: "/src/mark", entry: mark }],
    new AbortController().signal,
  );
  await bw.exec(spec(tree, { workdir: "/src" }));
}, 5);
const report = {
  "spawn true directly": direct,
  "bwrap true (raw)": bwrapOnly,
  "HostRuntime.exec true (bubblewrap, empty upper)": viaBw,
  "HostRuntime.exec true (plain, empty upper)": viaPlain,
  "HostRuntime.exec true (bubblewrap, 1000-file upper, overlay over a lower already written)":
    bw1000,
  "HostRuntime.exec true (bubblewrap, 1000-file upper, overlay over a new lower)": bw1000New,
  "HostRuntime.exec true (bubblewrap, 1000-file upper, copied as before the overlay)": copied1000,
};
// one line a measurement, `name: ms`, for run.sh
console.log(
  Object.entries(report)
    .map(([k, v]) => `${k}: ${v.toFixed(1)}`)
    .join("\n"),
);
await bw.close();
await copies.close();
await plain.close();
await rm(root, { recursive: true, force: true });
