// SDK scripts (no `gantry call`): connect() and `await using openRun()` clean up at the end and on Ctrl-C, like the CLI.
import { describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { BUSYBOX, makeStateDir } from "../helpers/test-session.js";
import { execProcesses, leftovers } from "../helpers/run-leftovers.js";
import { dag, openRun } from "../../src/index.js";

const ENTRY = pathToFileURL(path.resolve(import.meta.dirname, "../../dist/index.js")).href;

describe("SDK scripts", () => {
  it("`await using` a run removes its service containers and network when the block ends", async () => {
    const stateDir = await makeStateDir();
    process.env.GANTRY_STATE_DIR = stateDir;
    try {
      await using run = await openRun({ runtime: "docker", handleSignals: false });
      expect(run.note).toMatch(/^runtime: docker/);
      const svc = dag
        .container()
        .from(BUSYBOX)
        .withNewFile("/www/index.html", "hello from web")
        .withExposedPort(8080)
        .asService({ args: ["httpd", "-f", "-p", "8080", "-h", "/www"] });
      const out = await run.do(() =>
        dag
          .container()
          .from(BUSYBOX)
          .withServiceBinding("web", svc)
          .withExec(["sh", "-c", `echo ${Math.random()}; wget -q -O- http://web:8080/`])
          .stdout(),
      );
      expect(out).toContain("hello from web");
      expect(leftovers(process.pid)).not.toBe("");
    } finally {
      delete process.env.GANTRY_STATE_DIR;
    }
    expect(leftovers(process.pid)).toBe("");
  });

  it("a script using connect() stops on Ctrl-C, leaves nothing behind and exits 130", async () => {
    const nonce = String(Math.random());
    const dir = await mkdtemp(path.join(os.tmpdir(), "gantry-sdk-script-"));
    const script = path.join(dir, "script.mjs");
    await writeFile(
      script,
      `import { connect, dag } from ${JSON.stringify(ENTRY)};
await connect(async () => {
  await dag.container().from(${JSON.stringify(BUSYBOX)}).withEnvVariable("NONCE", ${JSON.stringify(nonce)})
    .withExec(["sh", "-c", "echo started; sleep 60"]).sync();
}, { runtime: "docker" });
console.log("finished");
`,
    );
    const child = spawn("node", [script], {
      env: { ...process.env, CI: "true", GANTRY_STATE_DIR: await makeStateDir() },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
    // running once its exec's process is (a container's, or BuildKit's)
    const t0 = Date.now();
    while (execProcesses(nonce).length === 0 && Date.now() - t0 < 60_000)
      await new Promise((r) => setTimeout(r, 250));
    expect(leftovers(child.pid!, nonce)).not.toBe("");
    child.kill("SIGINT");
    expect(await exited).toBe(130);
    expect(out).toContain("Interrupted");
    expect(out).not.toContain("finished");
    expect(leftovers(child.pid!, nonce)).toBe("");
  });
});
