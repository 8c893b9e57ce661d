// Make a source tree of N files (JS modules in nested folders) for the benchmarks.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

const [dir, n] = [process.argv[2], Number(process.argv[3] ?? 200)];
for (let i = 0; i < n; i++) {
  const sub = path.join(dir, `pkg${i % 20}`, `mod${i % 7}`);
  mkdirSync(sub, { recursive: true });
  writeFileSync(
    path.join(sub, `file${i}.js`),
    `export const value${i} = ${i};\nexport function f${i}(x) { return x + ${i}; }\n`,
  );
}
