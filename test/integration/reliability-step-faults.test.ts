// Faults inside one step, on the real engine: the kernel's OOM killer under a memory limit, and a bound service
// that crashes while its consumer runs. Each error names the step, says what happened, and shows the last output
// (the step's own, and the service's).
import { rm } from "node:fs/promises";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { gantryCli, reliabilityWork } from "../helpers/reliability-fixture.js";

const { work, mod } = reliabilityWork();
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});
const env = () => ({ GANTRY_STATE_DIR: path.join(work, "state") });

describe("faults inside a step", () => {
  it("a step killed by the kernel for memory says out of memory, with its limit, step and last output", async () => {
    const r = await gantryCli(
      ["call", "-m", mod, "--runtime=docker", "out-of-memory", `--nonce=${Math.random()}`],
      env(),
    );
    expect(r.status, r.out).toBe(1);
    expect(r.stderr).toMatch(
      /Error: exec `sh -c 'echo allocating 200 MiB; dd [^`]*'` was killed by the kernel: out of memory \(exit code 137, over its memory limit of 32 MiB\) \(step: withExec sh -c "echo allocating 200 MiB/,
    );
    expect(r.stderr).toMatch(/ {2}step: {6}withExec sh -c "echo allocating 200 MiB/);
    expect(r.stderr).toContain("  exit code: 137\n");
    expect(r.stderr).toMatch(/── stdout ──\n {2}allocating 200 MiB\n/);
    expect(r.stderr).toContain(
      "Hint: raise the step's memory limit (withExec's experimentalMemoryLimit), or make the command use less memory",
    );
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it("a service that crashes during its consumer's step: the consumer fails with the service's last log lines", async () => {
    const r = await gantryCli(
      ["call", "-m", mod, "--runtime=docker", "service-crash", `--nonce=${Math.random()}`],
      env(),
    );
    expect(r.status, r.out).toBe(1);
    // the consumer really ran against the live service before it died
    expect(r.stderr).toMatch(/ {2}request 1 ok\n/);
    expect(r.stderr).toMatch(/request \d+ failed/);
    expect(r.stderr).toMatch(
      /Error: exec `sh -c 'i=0; [^\n]*'` exited with code 1 \(step: withExec sh -c "i=0[^\n]*\)\nservice gantry-test\/busybox:latest [^\n]* exited with code 7 while the step ran\n--- last lines of service [^\n]* ---\nserving\npanic: the connection pool is gone\n/,
    );
  });
});
