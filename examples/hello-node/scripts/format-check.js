// A small stand-in formatter check: two-space indentation, no tabs, no trailing spaces.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

let bad = 0;
for (const dir of ["src", "test", "scripts"]) {
  for (const f of readdirSync(dir)) {
    const file = join(dir, f);
    readFileSync(file, "utf8")
      .split("\n")
      .forEach((line, i) => {
        if (/\t/.test(line) || / +$/.test(line)) {
          console.error(`${file}:${i + 1}: whitespace`);
          bad++;
        }
      });
  }
}
console.log(bad ? `${bad} file problem(s)` : "format: ok");
process.exit(bad ? 1 : 0);
