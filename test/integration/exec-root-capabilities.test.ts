// withExec's insecureRootCapabilities, as Dagger's: the command gets every root capability on docker (what
// Docker-in-Docker and mount-using tools need), the option is part of the step's key, and the host runtime, which
// runs as the person, refuses it by name instead of running without it.
import { describe, expect, it } from "vitest";
import { dag, ExecError } from "../../src/sdk/index.js";
import { BUSYBOX, makeStateDir, runIn } from "../helpers/test-session.js";

// The effective capability set of the command, as the kernel reports it.
const capEff = (opts: { insecureRootCapabilities?: boolean }, nonce: string) =>
  dag
    .container()
    .from(BUSYBOX)
    .withEnvVariable("NONCE", nonce)
    .withExec(["sh", "-c", "grep CapEff /proc/self/status | cut -f2"], opts)
    .stdout();

describe("withExec insecureRootCapabilities", () => {
  it("asks docker for every capability, as part of the step's key", async () => {
    const state = await makeStateDir();
    const nonce = String(Math.random());
    const plain = await runIn("docker", state, () => capEff({}, nonce));
    const root = await runIn("docker", state, () =>
      capEff({ insecureRootCapabilities: true }, nonce).then(
        (out) => ({ out: out.trim() }),
        (e: unknown) => ({ error: e as ExecError }),
      ),
    );
    // the same command with the option is another step: it ran, not served from the plain one's cache
    const execStep = root.events.find(
      (e) => e.type === "step.start" && e.name.startsWith("withExec sh -c"),
    );
    const stepId = execStep?.type === "step.start" ? execStep.id : undefined;
    const ended = root.events.find((e) => e.type === "step.end" && e.id === stepId);
    expect(ended?.type === "step.end" && ended.status).not.toBe("cached");
    expect(ended).toBeDefined();
    const has = (hex: string, bit: number) => (BigInt(`0x${hex}`) >> BigInt(bit)) & 1n;
    // docker's default set leaves out CAP_SYS_ADMIN (bit 21)
    expect(has(plain.value.trim(), 21)).toBe(0n);
    if ("out" in root.value) {
      // an engine with full privileges: --privileged's set has it
      expect(has(root.value.out, 21)).toBe(1n);
    } else {
      // an engine that lacks them itself (this CI's dockerd runs sandboxed): runc refuses the privileged container
      // the option asked for — a plain one starts — and the error says why and what to do
      expect(root.value.error).toBeInstanceOf(ExecError);
      expect(root.value.error.stderr).toContain("unable to apply caps");
      expect(root.value.error.hint).toMatch(/could not give the step every root capability/);
    }
  });

  it("is refused by name on the host runtime", async () => {
    const state = await makeStateDir();
    await expect(
      runIn("host", state, () => capEff({ insecureRootCapabilities: true }, "h")),
    ).rejects.toThrow(/insecureRootCapabilities.*host runtime cannot give/);
  });

  it("names experimentalPrivilegedNesting as not in Gantry where it is written", () => {
    expect(() =>
      dag.container().from(BUSYBOX).withExec(["true"], { experimentalPrivilegedNesting: true }),
    ).toThrow(/experimentalPrivilegedNesting .* is not in Gantry/);
  });
});
