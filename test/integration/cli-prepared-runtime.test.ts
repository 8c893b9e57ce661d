// What `gantry call`/`check` start for the runtime before the run opens reaches the runtime through the CLI's run.
import { EventEmitter } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CliIo } from "../../src/cli/cli-io.js";
import { withCliRun } from "../../src/cli/cli-run.js";
import { defaultGlobals } from "../../src/cli/global-flags.js";
import { readEnv } from "../../src/env.js";

let root: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), "gantry-prepared-"));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("withCliRun with a prepared runtime", () => {
  it("opens the host runtime with the probe started before it (the first line says its answer)", async () => {
    let stderr = "";
    const env = readEnv({
      HOME: root,
      GANTRY_STATE_DIR: path.join(root, "state"),
      PATH: process.env.PATH,
    });
    const io: CliIo = {
      cwd: root,
      env,
      hostEnv: {},
      stdout: { write: () => true },
      stderr: { write: (t: string) => (stderr += t) },
      signals: new EventEmitter() as unknown as CliIo["signals"],
      exit: (code) => {
        throw new Error(`exit(${code}) called in a test`);
      },
    };
    const globals = {
      ...defaultGlobals(env),
      runtime: "host" as const,
      progress: "plain" as const,
    };
    // an answer bubblewrap would not give here: only a run that used the prepared probe can say it
    const sandbox = Promise.resolve({
      mode: "plain" as const,
      reason: "the prepared probe's answer",
    });
    await withCliRun(
      {
        globals,
        io,
        errors: {},
        projectDir: root,
        label: "prepared",
        prepared: { choice: "host", sandbox },
      },
      async () => "done",
    );
    expect(stderr).toContain("runtime: host (plain processes: the prepared probe's answer)");
  });
});
