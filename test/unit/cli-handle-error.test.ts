import { EventEmitter } from "node:events";
import { describe, expect, it } from "vitest";
import { ExecError, ModuleError, UsageError, CancelledError } from "../../src/errors.js";
import { dag } from "../../src/sdk/index.js";
import { FailureTracker } from "../../src/cli/failure-tracker.js";
import { handleError } from "../../src/cli/handle-error.js";
import { installInterrupts, type SignalSource } from "../../src/engine/interrupts.js";

// Run the handler and capture what it prints.
function report(e: unknown, ctx: Parameters<typeof handleError>[2] = {}) {
  let text = "";
  const code = handleError(e, { write: (t: string) => (text += t) }, ctx);
  return { code, text };
}

describe("handleError", () => {
  it("prints a usage error with exit 2 and other Gantry errors with exit 1, with hints", () => {
    expect(report(new UsageError("bad flag"))).toEqual({ code: 2, text: "Error: bad flag\n" });
    expect(report(new ModuleError("no entry", { hint: "run gantry init" }))).toEqual({
      code: 1,
      text: "Error: no entry\nHint: run gantry init\n",
    });
  });

  it("a write the disk refused (itself or as a cause) is not a bug: it names the state dir and says what to do", () => {
    const enospc = Object.assign(new Error("ENOSPC: no space left on device, write"), {
      code: "ENOSPC",
    });
    for (const e of [enospc, new ModuleError("function ci failed: ENOSPC", { cause: enospc })]) {
      const r = report(e, { stateDir: "/data/gantry" });
      expect(r.code).toBe(1);
      expect(r.text).toMatch(
        /^Error: a write failed: no space left on the device \(Gantry's state dir is \/data\/gantry\): /,
      );
      expect(r.text).toMatch(/Hint: free some space on that disk/);
      expect(r.text).not.toMatch(/bug in Gantry|^\s+at /m);
    }
    // any other file-system error stays a bug report
    const other = Object.assign(new Error("EBADF: bad file descriptor"), { code: "EBADF" });
    expect(report(other).text).toMatch(/bug in Gantry/);
  });

  it("shows an exec failure's function, step, command, exit code and the last 20 lines, scrubbed", () => {
    const failures = new FailureTracker();
    failures.emit({
      type: "step.start",
      id: "s1",
      name: "withExec npm test",
      kind: "exec",
      time: 0,
    });
    failures.emit({ type: "step.end", id: "s1", status: "failed", time: 1, exitCode: 1 });
    const stderr =
      Array.from({ length: 30 }, (_, i) => `err ${i + 1} token=hunter2`).join("\n") + "\n";
    const e = new ExecError({ cmd: ["npm", "test"], exitCode: 1, stdout: "", stderr });
    const { code, text } = report(e, {
      fn: "test",
      failures,
      scrub: (t) => t.replaceAll("hunter2", "***"),
    });
    expect(code).toBe(1);
    expect(text).toContain("Error: exec `npm test` exited with code 1\n");
    expect(text).toContain(
      "  function:  test\n  step:      withExec npm test\n  command:   npm test\n  exit code: 1\n",
    );
    expect(text).toContain("── last 20 lines of stderr ──");
    expect(text).toContain("  err 11 token=***\n");
    expect(text).not.toContain("err 10 ");
    expect(text).not.toContain("hunter2");
    expect(text).not.toContain("stdout");
  });

  it("says out of memory, with the limit and a hint, for an exec the kernel killed", () => {
    const e = new ExecError({
      cmd: ["node", "build.js"],
      exitCode: 137,
      stdout: "bundling…\n",
      stderr: "",
      step: "withExec node build.js",
      oom: { limit: 512 * 1024 * 1024 },
    });
    const { code, text } = report(e, {});
    expect(code).toBe(1);
    expect(text).toContain(
      "Error: exec `node build.js` was killed by the kernel: out of memory (exit code 137, over its memory limit of 512 MiB) (step: withExec node build.js)\n",
    );
    expect(text).toContain("  ── stdout ──\n  bundling…\n");
    expect(text).toContain(
      "Hint: raise the step's memory limit (withExec's experimentalMemoryLimit)",
    );
    const noLimit = new ExecError({ cmd: ["x"], exitCode: 137, stdout: "", stderr: "", oom: {} });
    expect(noLimit.message).toBe(
      "exec `x` was killed by the kernel: out of memory (exit code 137)",
    );
    expect(noLimit.hint).toMatch(/^give the machine \(or Docker's VM\) more memory/);
  });

  it("refuses a memory limit that is not a whole number of bytes of at least 6 MiB", () => {
    const base = dag.container().from("busybox");
    for (const bad of [0, 1024, 6 * 1024 * 1024 - 1, 1.5e7 + 0.5, Number.NaN])
      expect(() => base.withExec(["true"], { experimentalMemoryLimit: bad })).toThrow(
        /experimentalMemoryLimit must be a whole number of bytes, at least 6291456 \(6 MiB\)/,
      );
    const ok = base.withExec(["true"], { experimentalMemoryLimit: 6 * 1024 * 1024 });
    expect(ok._state.lastExec?.memoryLimit).toBe(6 * 1024 * 1024);
  });

  it("adds the stack of Gantry's own errors under --debug, scrubbed", () => {
    const e = new ModuleError("no entry for token-abc");
    const r = report(e, { debug: true, scrub: (t) => t.replace(/token-abc/g, "***") });
    expect(r.text).toMatch(/^Error: no entry for \*\*\*\nModuleError: no entry for \*\*\*\n\s+at /);
    expect(r.text).not.toContain("token-abc");
  });

  it("prints a bug's stack and asks for a report", () => {
    const { code, text } = report(new TypeError("x is undefined"));
    expect(code).toBe(1);
    expect(text).toMatch(/^TypeError: x is undefined\n {4}at /);
    expect(text).toContain("This is a bug in Gantry, please report it");
  });

  it("reads a cancellation as an interruption (exit 130)", () => {
    expect(report(new CancelledError("interrupted by Ctrl-C")).code).toBe(130);
  });
});

describe("installInterrupts", () => {
  it("shuts down then exits 130 on the first signal, and exits at once on the second", async () => {
    const signals = new EventEmitter();
    const exits: number[] = [];
    let release: () => void = () => {};
    let shutdowns = 0;
    const uninstall = installInterrupts({
      signals: signals as unknown as SignalSource,
      exit: (c) => exits.push(c),
      say: () => {},
      shutdown: () => {
        shutdowns++;
        return new Promise<void>((r) => (release = r));
      },
    });
    signals.emit("SIGINT");
    expect(shutdowns).toBe(1);
    expect(exits).toEqual([]);
    signals.emit("SIGTERM");
    expect(exits).toEqual([143]);
    release();
    await new Promise((r) => setImmediate(r));
    expect(exits).toEqual([143, 130]);
    uninstall();
    for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"])
      expect(signals.listenerCount(signal)).toBe(0);
  });

  it.each([
    ["SIGTERM", 143, "Terminated (SIGTERM)", "another SIGTERM"],
    ["SIGHUP", 129, "Hung up (SIGHUP: the terminal closed)", "another SIGHUP"],
    ["SIGINT", 130, "Interrupted", "Ctrl-C again"],
  ] as const)("%s: says so, shuts down told which, exits %i", async (signal, code, what, again) => {
    const signals = new EventEmitter();
    const exits: number[] = [];
    const said: string[] = [];
    const told: string[] = [];
    installInterrupts({
      signals: signals as unknown as SignalSource,
      exit: (c) => exits.push(c),
      say: (t) => said.push(t),
      shutdown: async (s) => void told.push(s),
    });
    signals.emit(signal);
    await new Promise((r) => setImmediate(r));
    expect(told).toEqual([signal]);
    expect(exits).toEqual([code]);
    expect(said.join("")).toContain(
      `${what}: stopping the run and removing its containers (${again}`,
    );
  });

  it("a second SIGHUP (a closing terminal sends more than one) lets the cleanup finish", async () => {
    const signals = new EventEmitter();
    const exits: number[] = [];
    let release: () => void = () => {};
    installInterrupts({
      signals: signals as unknown as SignalSource,
      exit: (c) => exits.push(c),
      say: () => {},
      shutdown: () => new Promise<void>((r) => (release = r)),
    });
    signals.emit("SIGHUP");
    signals.emit("SIGHUP");
    expect(exits).toEqual([]);
    release();
    await new Promise((r) => setImmediate(r));
    expect(exits).toEqual([129]);
  });

  it("handles only the signals it is given (an SDK script that reloads on SIGHUP keeps it)", () => {
    const signals = new EventEmitter();
    const uninstall = installInterrupts({
      signals: signals as unknown as SignalSource,
      only: ["SIGINT", "SIGTERM"],
      exit: () => {},
      say: () => {},
      shutdown: async () => {},
    });
    expect(signals.listenerCount("SIGHUP")).toBe(0);
    expect(signals.listenerCount("SIGINT")).toBe(1);
    uninstall();
    expect(signals.listenerCount("SIGINT")).toBe(0);
  });

  it("a cancellation after a signal reads as that signal, with its exit code", () => {
    const lines: string[] = [];
    const sink = { write: (t: string) => void lines.push(t) };
    const code = handleError(new CancelledError("stopped by SIGHUP"), sink, {
      interrupted: "SIGHUP",
    });
    expect(code).toBe(129);
    expect(lines.join("")).toBe("Hung up (SIGHUP: the terminal closed): stopped by SIGHUP\n");
  });
});
