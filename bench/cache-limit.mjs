// The size limit's check after every run must cost next to nothing: time it on a state dir of N exec records (each
// with a tree and a blob), and time the full measurement `cache ls|gc` (and the check, when over the limit) do.
// Usage: npm run build && node bench/cache-limit.mjs [N]   (results: bench/RESULTS.md, "Cache size limit")
import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { ContentStore } from "../dist/store/content-store.js";
import { enforceCacheLimit } from "../dist/engine/cache/cache-limit.js";
import { measureCache } from "../dist/engine/cache/cache-usage.js";
const stateDir = await mkdtemp(path.join(os.tmpdir(), "gantry-bench-limit-"));
const store = new ContentStore(path.join(stateDir, "store"));
await store.init();
const N = Number(process.argv[2] ?? 10000);
for (let i = 0; i < N; i++) {
  const b = await store.putBytes(`blob ${i} `.repeat(50));
  const t = await store.saveTree({
    entries: { f: { type: "file", mode: 420, digest: b, size: 500 } },
  });
  await store.putRecord("exec", `sha256:${i.toString(16).padStart(64, "0")}`, {
    snapshot: t,
    exitCode: 0,
    stdout: "",
    stderr: "",
    time: 0,
  });
}
await enforceCacheLimit({ stateDir, limit: undefined, storeBytesAdded: 0, snapshots: [] }); // starts the ledger
const times = [];
for (let i = 0; i < 20; i++) {
  const t = process.hrtime.bigint();
  await enforceCacheLimit({ stateDir, limit: undefined, storeBytesAdded: 1000, snapshots: [] });
  times.push(Number(process.hrtime.bigint() - t) / 1e6);
}
times.sort((a, b) => a - b);
let t = Date.now();
await measureCache(stateDir, undefined);
const full = Date.now() - t;
console.log(
  `records=${N} after-run check median ${times[10].toFixed(2)} ms (min ${times[0].toFixed(2)}), full measure ${full} ms`,
);
