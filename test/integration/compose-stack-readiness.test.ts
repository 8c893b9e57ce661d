// A pipeline's ComposeStack keeps Gantry's service rule: a service that exits before it is ready fails the step,
// with its last lines. (The `gantry compose` commands follow docker compose instead: compose-up.test.ts.)
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { composeProject, dag } from "../../src/index.js";
import { BUSYBOX, makeStateDir, runIn } from "../helpers/test-session.js";

let dir: string;
let state: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "gantry-compose-stack-"));
  state = await makeStateDir();
  await writeFile(
    path.join(dir, "compose.yml"),
    [
      "services:",
      "  worker:",
      `    image: ${BUSYBOX}`,
      `    command: ["sh", "-c", "echo worker crashing ${process.pid}; exit 3"]`,
      "",
    ].join("\n"),
  );
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await rm(state, { recursive: true, force: true });
});

describe("ComposeStack in a pipeline", () => {
  it("fails up() when a service without a health check or ports exits before it is ready", async () => {
    const err = await runIn(
      "docker",
      state,
      async () => {
        const stack = await composeProject(dag.host().directory(dir));
        await stack.up(["worker"]);
      },
      dir,
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/service worker exited with code 3 before it was ready/);
    expect((err as Error).message).toContain(`worker crashing ${process.pid}`);
  }, 60_000);
});
