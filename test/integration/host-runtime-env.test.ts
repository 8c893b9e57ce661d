// Which host environment enters a host-runtime step's key: PATH and the tool it resolves, never the caller's shell noise.
import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openSession } from "../../src/engine/open-session.js";
import type { RunEvent } from "../../src/engine/events.js";
import { readEnv } from "../../src/env.js";
import { dag } from "../../src/sdk/index.js";
import { executed } from "../helpers/test-session.js";

const SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

let root: string;
let stateDir: string;
let tools: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), "gantry-host-env-"));
  stateDir = path.join(root, "state");
  tools = path.join(root, "opt", "tools", "bin");
  await writeTool("v1");
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

// A host tool the steps run; rewriting it is "upgrading" it at the same path.
async function writeTool(version: string): Promise<void> {
  await mkdir(tools, { recursive: true });
  const file = path.join(tools, "gantry-env-tool");
  await writeFile(file, `#!/bin/sh\necho tool ${version}\n`);
  await chmod(file, 0o755);
}

// One host-runtime run of `fn` with the process environment given (through readEnv, as the CLI reads it).
async function runWith(vars: NodeJS.ProcessEnv, fn: () => Promise<unknown>): Promise<RunEvent[]> {
  const events: RunEvent[] = [];
  const env = { ...readEnv({ HOME: root, ...vars }), stateDir };
  const { session } = await openSession({
    runtime: "host",
    projectDir: root,
    cwd: root,
    env,
    events: { emit: (e) => events.push(e) },
  });
  try {
    await session.run(fn);
  } finally {
    await session.close();
  }
  return events;
}

function misses(events: RunEvent[]): string[] {
  return events.flatMap((e) => (e.type === "step.end" && e.miss ? [e.miss] : []));
}

const step =
  (...args: string[]) =>
  () =>
    dag
      .container()
      .from("debian:bookworm")
      .withExec(["gantry-env-tool", ...args])
      .stdout();

describe("host runtime: environment in the cache key", () => {
  let PATH: string;
  beforeAll(() => {
    PATH = `${tools}:${SYSTEM_PATH}`;
  });

  it("runs a step once whether or not Gantry was started through `npm run` (npm_* variables, npm's PATH prefix)", async () => {
    const first = await runWith({ PATH }, step());
    expect(executed(first)).toEqual(["withExec gantry-env-tool"]);
    // What `npm run example` adds: npm_* variables and node_modules/.bin of every parent plus node-gyp-bin on PATH.
    const npmPath = [
      path.join(root, "node_modules/.bin"),
      path.join(path.dirname(root), "node_modules/.bin"),
      "/node_modules/.bin",
      "/usr/lib/node_modules/npm/node_modules/@npmcli/run-script/lib/node-gyp-bin",
      PATH,
    ].join(":");
    const viaNpm = await runWith(
      {
        PATH: npmPath,
        npm_config_foo: "bar",
        npm_lifecycle_event: "example",
        npm_lifecycle_script: "bash scripts/run-example.sh",
        OLDPWD: "/elsewhere",
        SHLVL: "3",
        TERM: "dumb",
        _: "/usr/bin/npm",
      },
      step(),
    );
    expect(executed(viaNpm)).toEqual([]);
    const direct = await runWith({ PATH, SHLVL: "1" }, step());
    expect(executed(direct)).toEqual([]);
  });

  it("names the variable when a variable in the key (PATH) changes", async () => {
    await runWith({ PATH }, step());
    const changed = await runWith({ PATH: `${PATH}:${path.join(root, "more-bin")}` }, step());
    expect(executed(changed)).toEqual(["withExec gantry-env-tool"]);
    expect(misses(changed)).toEqual([expect.stringContaining("environment variable PATH changed")]);
  });

  it("names the tool when the host tool the command resolves to changes", async () => {
    expect(executed(await runWith({ PATH }, step("v")))).toEqual(["withExec gantry-env-tool v"]);
    await writeTool("v2, a longer version");
    const upgraded = await runWith({ PATH }, step("v"));
    expect(executed(upgraded)).toEqual(["withExec gantry-env-tool v"]);
    expect(misses(upgraded)).toEqual(["host tool gantry-env-tool changed"]);
  });
});
