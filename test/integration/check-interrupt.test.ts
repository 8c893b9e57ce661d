// Ctrl-C during `gantry check`: the checks it cut short are "cancelled" in the table, not "failed", and the run exits
// 130. Through the real CLI (dist/) on the host runtime, with a real SIGINT.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { tempDir, writeTree } from "../unit/module-test-helpers.js";

const BIN = path.resolve(import.meta.dirname, "../../bin/gantry.js");
const tmp = tempDir("gantry-check-int-");
afterAll(() => tmp.cleanup());

describe("gantry check, interrupted", () => {
  it("shows the checks Ctrl-C cut short as cancelled and exits 130", async () => {
    const root = path.join(tmp.dir, "project");
    const mark = path.join(tmp.dir, "started");
    writeTree(root, {
      "gantry.json": JSON.stringify({ name: "slow-checks", source: ".gantry" }),
      ".gantry/src/index.ts": `import fs from "node:fs";
import { check, dag, object, func } from "gantry";
@object()
export class SlowChecks {
  @func() @check()
  async slow(): Promise<string> {
    fs.writeFileSync(${JSON.stringify(mark)}, "");
    return dag.container().from("debian:bookworm").withExec(["sleep", "60"]).stdout();
  }
  @func() @check()
  async quick(): Promise<string> {
    return "ok";
  }
}
`,
    });
    const child = spawn("node", [BIN, "check", "--runtime=host", "--progress=plain"], {
      cwd: root,
      env: { ...process.env, CI: "true", GANTRY_STATE_DIR: path.join(tmp.dir, "state") },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((r) => child.on("exit", (c) => r(c)));
    for (
      let i = 0;
      i < 300 && !(fs.existsSync(mark) && stderr.includes("▶ withExec sleep 60"));
      i++
    )
      await new Promise((r) => setTimeout(r, 100));
    expect(stderr).toContain("▶ withExec sleep 60");
    child.kill("SIGINT");
    expect(await exited, stderr).toBe(130);
    expect(stdout).toMatch(/^slow\s+cancelled/m);
    expect(stdout).toMatch(/^quick\s+passed/m);
    expect(stdout).not.toMatch(/failed/);
  }, 60_000);
});
