// Bun and just on the host for the bun-cli example's parity tests: the very binaries of gantry-test/bun (built by
// scripts/test-images.sh from their npm packages), so the host and the containers run the same versions.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

export const BUN_IMAGE = "gantry-test/bun:bookworm";

/** A folder holding `bun` and `just` copied out of the test image; put it first on PATH. */
export function bunHostTools(dir: string): string {
  const bin = path.join(dir, "bun-host-bin");
  fs.mkdirSync(bin, { recursive: true });
  const id = execFileSync("docker", ["create", BUN_IMAGE], { encoding: "utf8" }).trim();
  try {
    const copy = (from: string, to: string) =>
      execFileSync("docker", ["cp", "-L", `${id}:${from}`, path.join(bin, to)]);
    copy("/usr/local/lib/node_modules/bun/bin/bun.exe", "bun");
    copy("/usr/local/bin/just", "just");
  } finally {
    execFileSync("docker", ["rm", id]);
  }
  return bin;
}

/** One test's outcome as `bun test` reports it: `(pass) suite > name`, timings left out. */
export function bunTestResults(output: string): { tests: string[]; summary: string[] } {
  const lines = output.split("\n").map((l) => l.replace(/^.*?│ ?/, "").trimEnd());
  const tests = lines
    .map((l) => /^\((pass|fail)\) (.*?)(?: \[[\d.]+m?s\])?$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => `(${m[1]}) ${m[2]}`);
  const summary = lines
    .map((l) => /^\s*(\d+ (?:pass|fail|expect\(\) calls))$/.exec(l)?.[1])
    .filter((s): s is string => s !== undefined);
  return { tests, summary };
}
