// pnpm/yarn projects in an image without corepack (Debian's Node, Node 25+): the install line falls back to
// `npm install -g` of the version package.json pins; the image's own pnpm or corepack wins when there is one.
// Real `sh` runs the line with stand-in programs on PATH that log how they were called.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ensurePackageManager, pinnedVersion } from "../../src/toolchains/node/package-json.js";
import { tempDir } from "./module-test-helpers.js";

const tmp = tempDir("gantry-pm-");
afterAll(() => tmp.cleanup());
let n = 0;

// Run the line with only these programs (and sh's builtins) on PATH; what each was called with.
function runWith(programs: string[], line: string): string[] {
  const bin = path.join(tmp.dir, `bin${++n}`);
  const log = path.join(bin, "calls.log");
  fs.mkdirSync(bin);
  for (const p of programs) {
    fs.writeFileSync(path.join(bin, p), `#!/bin/sh\necho "${p} $*" >> ${log}\n`, { mode: 0o755 });
  }
  execFileSync("/bin/sh", ["-c", line], { env: { PATH: bin } });
  return fs.existsSync(log) ? fs.readFileSync(log, "utf8").trim().split("\n") : [];
}

describe("making pnpm or yarn available", () => {
  it("reads the version package.json pins for that manager only", () => {
    const pkg = (pm: string) => JSON.stringify({ packageManager: pm });
    expect(pinnedVersion(pkg("pnpm@10.14.0-0+sha512.2cd4"), "pnpm")).toBe("10.14.0-0");
    expect(pinnedVersion(pkg("yarn@4.5.1"), "pnpm")).toBeUndefined();
    expect(pinnedVersion(pkg("pnpm@1.0; rm -rf /"), "pnpm")).toBeUndefined();
    expect(pinnedVersion("{}", "yarn")).toBeUndefined();
  });

  it("installs the pinned version with npm when the image has neither it nor corepack", () => {
    const calls = runWith(["npm"], `${ensurePackageManager("pnpm", "10.14.0")} && echo ok`);
    expect(calls).toEqual(["npm install -g --no-audit --no-fund pnpm@10.14.0"]);
  });

  it("uses corepack when there is one, and the image's own pnpm before that", () => {
    expect(runWith(["npm", "corepack"], ensurePackageManager("yarn", undefined))).toEqual([
      "corepack enable",
    ]);
    expect(runWith(["npm", "corepack", "pnpm"], ensurePackageManager("pnpm", "9.0.0"))).toEqual([]);
  });
});
