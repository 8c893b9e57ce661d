// Time re-hashing an unchanged tree with Gantry's stat cache (warm), after one cold hash.
import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { ContentStore } from "../dist/store/content-store.js";
import { hashHostDirectory } from "../dist/store/host-tree.js";

const dir = process.argv[2];
const runs = Number(process.argv[3] ?? 5);
const store = new ContentStore(await mkdtemp(path.join(os.tmpdir(), "gantry-bench-store-")));
await store.init();
let t = performance.now();
await hashHostDirectory(dir, {}, store);
const cold = performance.now() - t;
const warm = [];
for (let i = 0; i < runs; i++) {
  t = performance.now();
  await hashHostDirectory(dir, {}, store);
  warm.push(performance.now() - t);
}
warm.sort((a, b) => a - b);
console.log(JSON.stringify({ coldMs: cold, warmMs: warm[Math.floor(warm.length / 2)] }));
