// SDK scripts (no `gantry call`): connect() and `await using openRun()` clean up at the end and on Ctrl-C, like the CLI.
import { describe, expect, it } from "vitest";
import { execFile, spawn } from "node:child_process";
import { mkdir, mkdtemp, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { BUSYBOX, makeStateDir } from "../helpers/test-session.js";
import { execProcesses, leftovers } from "../helpers/run-leftovers.js";
import { dag, openRun } from "../../src/index.js";

const ENTRY = pathToFileURL(path.resolve(import.meta.dirname, "../../dist/index.js")).href;

// A folder whose `@dagger.io/dagger` is this package, as a Dagger script's folder has it once pointed at Gantry.
async function daggerScriptDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "gantry-dagger-script-"));
  await mkdir(path.join(dir, "node_modules/@dagger.io"), { recursive: true });
  await symlink(
    path.resolve(import.meta.dirname, "../.."),
    path.join(dir, "node_modules/@dagger.io/dagger"),
  );
  await writeFile(path.join(dir, "package.json"), JSON.stringify({ type: "module" }));
  return dir;
}

// Run a script with node against the real engine, as its author would.
async function runScript(
  dir: string,
  name: string,
  text: string,
): Promise<{ stdout: string; pid: number }> {
  await writeFile(path.join(dir, name), text);
  const running = promisify(execFile)("node", [name], {
    cwd: dir,
    env: {
      ...process.env,
      CI: "true",
      GANTRY_RUNTIME: "docker",
      GANTRY_STATE_DIR: await makeStateDir(),
    },
  });
  const { stdout } = await running;
  return { stdout, pid: running.child.pid! };
}

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

  it("Dagger's script styles run: connection() with the global dag, and connect() handing its callback a client", async () => {
    const dir = await daggerScriptDir();
    const nonce = String(Math.random());
    const [viaConnection, viaConnect] = await Promise.all([
      // Dagger's "custom application" page, as written
      runScript(
        dir,
        "build.mjs",
        `import { dag } from "@dagger.io/dagger";
import * as dagger from "@dagger.io/dagger";
const r = await dagger.connection(async () => {
  const out = await dag.container().from(${JSON.stringify(BUSYBOX)}).withEnvVariable("NONCE", ${JSON.stringify(nonce)})
    .withExec(["sh", "-c", "echo connection $NONCE"]).stdout();
  console.log(out.trim());
}, { LogOutput: process.stderr });
console.log("returned", r);
`,
      ),
      // Dagger's older style: the client comes as the callback's argument
      runScript(
        dir,
        "build-connect.mjs",
        `import { connect } from "@dagger.io/dagger";
await connect(async (client) => {
  const out = await client.container().from(${JSON.stringify(BUSYBOX)}).withEnvVariable("NONCE", ${JSON.stringify(nonce)})
    .withExec(["sh", "-c", "echo connect $NONCE"]).stdout();
  console.log(out.trim());
}, { LogOutput: process.stderr });
console.log("done");
`,
      ),
    ]);
    expect(viaConnection.stdout).toBe(`connection ${nonce}\nreturned undefined\n`);
    expect(viaConnect.stdout).toBe(`connect ${nonce}\ndone\n`);
    // each closed its run: nothing of either is left
    expect(leftovers(viaConnection.pid, nonce)).toBe("");
    expect(leftovers(viaConnect.pid)).toBe("");
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
