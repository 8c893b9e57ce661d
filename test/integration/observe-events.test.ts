// One event stream, every view: --progress=json against the documented schema, --dry-run, --explain and
// `gantry cache explain`, on the real Docker engine through the CLI.
import { writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { docker, BUSYBOX, DEBIAN } from "../helpers/test-session.js";
import { observeFixture, stepsByStatus } from "../helpers/observe-fixture.js";
import type { RunEvent } from "../../src/engine/events.js";

// docs/events.md, as data: required and optional fields of each event type, with their JSON types.
const SCHEMA: Record<
  string,
  { required: Record<string, string>; optional: Record<string, string> }
> = {
  "run.start": {
    required: { type: "string", runId: "string", time: "number", runtime: "string" },
    optional: { fn: "string", v: "number", module: "string", argv: "array", dryRun: "boolean" },
  },
  "run.end": {
    required: { type: "string", runId: "string", time: "number", ok: "boolean" },
    optional: { error: "string" },
  },
  "step.start": {
    required: { type: "string", id: "string", name: "string", kind: "string", time: "number" },
    optional: {
      parent: "string",
      digest: "string",
      command: "array",
      image: "string",
      workdir: "string",
      sources: "array",
    },
  },
  "step.end": {
    required: { type: "string", id: "string", status: "string", time: "number" },
    optional: { miss: "string", why: "array", exitCode: "number", error: "string" },
  },
  "step.log": {
    required: { type: "string", id: "string", stream: "string", text: "string", time: "number" },
    optional: {},
  },
  "step.tests": {
    required: { type: "string", id: "string", path: "string", xml: "string", time: "number" },
    optional: {},
  },
  warning: { required: { type: "string", message: "string", time: "number" }, optional: {} },
};
const KINDS = [
  "function",
  "exec",
  "pull",
  "host",
  "service",
  "export",
  "build",
  "publish",
  "other",
];
const STATUSES = ["done", "cached", "failed", "cancelled", "would-run"];

function typeOf(v: unknown): string {
  return Array.isArray(v) ? "array" : typeof v;
}

// Every field is documented with its type, every required one is there.
function checkEvent(e: Record<string, unknown>): string[] {
  const spec = SCHEMA[e.type as string];
  if (!spec) return [`unknown event type ${String(e.type)}`];
  const errors: string[] = [];
  for (const [k, t] of Object.entries(spec.required))
    if (typeOf(e[k]) !== t) errors.push(`${String(e.type)}.${k} should be ${t}`);
  for (const [k, v] of Object.entries(e)) {
    const t = spec.required[k] ?? spec.optional[k];
    if (!t) errors.push(`${String(e.type)} has undocumented field ${k}`);
    else if (typeOf(v) !== t) errors.push(`${String(e.type)}.${k} is ${typeOf(v)}, not ${t}`);
  }
  if (e.type === "step.start" && !KINDS.includes(e.kind as string))
    errors.push(`kind ${String(e.kind)}`);
  if (e.type === "step.end" && !STATUSES.includes(e.status as string))
    errors.push(`status ${String(e.status)}`);
  for (const r of (e.why as Record<string, unknown>[] | undefined) ?? [])
    if (typeof r.input !== "string" || typeof r.change !== "string") errors.push("why entry");
  return errors;
}

describe("--progress=json", () => {
  it("writes only documented events, one JSON object a line, the same ones the run record keeps", async () => {
    const f = observeFixture();
    const r = await f.gantry([
      "call",
      "--runtime=docker",
      "--progress=json",
      "pipeline",
      "--source=app",
      `--nonce=${Date.now()}`,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stderr.trim().split("\n");
    const events = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events.flatMap(checkEvent)).toEqual([]);
    expect(events[0]).toMatchObject({
      type: "run.start",
      v: 1,
      module: "obs",
      fn: "pipeline",
      runtime: "docker",
    });
    expect(events.at(-1)).toMatchObject({ type: "run.end", ok: true });
    const execs = events.filter((e) => e.type === "step.start" && e.kind === "exec");
    expect(execs.length).toBe(4);
    for (const e of execs) {
      expect(e.image).toBe(BUSYBOX);
      expect(e.workdir).toBe("/src");
      expect((e.command as string[])[0]).toBe("sh");
      expect(e.digest).toMatch(/^sha256:/);
      expect(e.sources).toEqual([{ target: "/src", host: "app" }]);
    }
    const tests = events.find((e) => e.type === "step.tests");
    expect(tests?.path).toBe("/src/reports/junit.xml");
    expect(tests?.xml).toContain('<testcase classname="math" name="adds"');
    // the record holds the same events the JSON view showed
    expect(f.lastRun().map((e) => e.type)).toEqual(events.map((e) => e.type));
  });
});

describe("--dry-run", () => {
  it("says which steps come from cache and which would run, runs nothing, and caches nothing", async () => {
    const f = observeFixture();
    const nonce = `dry-${Date.now()}`;
    const first = await f.gantry(["call", "--runtime=docker", "chain", `--nonce=${nonce}`]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toBe("b\nc\n");
    // the last command changed: the two first steps are cached, the last would run
    const dry = await f.gantry([
      "call",
      "--runtime=docker",
      "--progress=plain",
      "--dry-run",
      "chain",
      `--nonce=${nonce}`,
      "--last=d",
    ]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toBe("");
    const byStatus = stepsByStatus(f.lastRun());
    expect(byStatus.cached).toEqual([
      'withExec sh -c "echo a > /a"',
      'withExec sh -c "cat /a; echo b > /b"',
    ]);
    expect(byStatus["would-run"]).toEqual(['withExec sh -c "cat /b; echo d"', "chain"]);
    expect(byStatus.done).toBeUndefined();
    expect(dry.stderr).toMatch(
      /○ withExec sh -c "cat \/b; echo d" would run \(command changed \(earlier: sh -c cat \/b; echo c\)\)/,
    );
    expect(dry.stderr).toContain("dry run: the steps marked ○ would run");
    // a new nonce: the first step would run, and the two that build on it say they depend on it
    const dry2 = await f.gantry([
      "call",
      "--runtime=docker",
      "--dry-run",
      "chain",
      `--nonce=${nonce}-new`,
    ]);
    expect(dry2.code, dry2.stderr).toBe(0);
    const events = f.lastRun();
    const ends = events.filter(
      (e): e is Extract<RunEvent, { type: "step.end" }> => e.type === "step.end",
    );
    expect(ends.filter((e) => e.status === "would-run").length).toBe(4);
    expect(ends.filter((e) => e.why?.[0]?.change === "depends").length).toBe(2);
    expect(stepsByStatus(events).done).toBeUndefined();
    // nothing was cached by the dry run: the real run runs the changed step
    const real = await f.gantry([
      "call",
      "--runtime=docker",
      "--progress=json",
      "chain",
      `--nonce=${nonce}`,
      "--last=d",
    ]);
    expect(real.stdout).toBe("b\nd\n");
    const ran = stepsByStatus(f.lastRun()).done?.filter((n) => !n.startsWith("from "));
    expect(ran).toEqual(['withExec sh -c "cat /b; echo d"', "chain"]);
    // everything cached: the dry run completes and prints the result it knows
    const dry3 = await f.gantry([
      "call",
      "--runtime=docker",
      "--dry-run",
      "chain",
      `--nonce=${nonce}`,
      "--last=d",
    ]);
    expect(dry3.stdout).toBe("b\nd\n");
    expect(dry3.stderr).toContain("dry run: every step would come from cache");
  });

  it("plans parallel branches each up to their first step that would run", async () => {
    const f = observeFixture();
    const dry = await f.gantry([
      "call",
      "--runtime=docker",
      "--dry-run",
      "pipeline",
      "--source=app",
      `--nonce=p-${Date.now()}`,
    ]);
    expect(dry.code, dry.stderr).toBe(0);
    const wouldRun = stepsByStatus(f.lastRun())["would-run"] ?? [];
    // lint and test are both planned, though the function stopped at the first of them
    expect(wouldRun.some((n) => n.includes("echo lint"))).toBe(true);
    expect(wouldRun.some((n) => n.includes("tests ran"))).toBe(true);
  });
});

describe("why did this run", () => {
  it("names each changed input inline (--explain) and afterwards (gantry cache explain)", async () => {
    const f = observeFixture();
    const nonce = `why-${Date.now()}`;
    const tag = `gantry-test/obs-retag:${nonce.toLowerCase()}`;
    docker(["tag", BUSYBOX, tag]);
    try {
      const tokenFile = path.join(f.work, "token");
      writeFileSync(tokenFile, "first-token-value-123");
      const args = [
        "call",
        "--runtime=docker",
        "--progress=plain",
        "pipeline",
        "--source=app",
        `--nonce=${nonce}`,
      ];
      expect((await f.gantry(args)).code).toBe(0);
      writeFileSync(path.join(f.mod, "app/main.ts"), "export const answer = 43;\n");
      writeFileSync(path.join(f.mod, "app/extra.ts"), "export {};\n");
      const explained = await f.gantry([...args.slice(0, 3), "--explain", ...args.slice(3)]);
      expect(explained.code, explained.stderr).toBe(0);
      expect(explained.stderr).toContain(
        "why: withDirectory /src changed (2 files: +extra.ts, ~main.ts; from host app)",
      );

      // a keyed step: its variable, its secret (by name), its base image's content id
      const keyed = (token: string, level: string, image: string) => {
        writeFileSync(tokenFile, token);
        return f.gantry([
          "call",
          "--runtime=docker",
          "--progress=plain",
          "--explain",
          "keyed",
          `--token=file:${tokenFile}`,
          `--level=${level}`,
          `--nonce=${nonce}`,
          `--image=${image}`,
        ]);
      };
      expect((await keyed("first-token-value-123", "info", tag)).code).toBe(0);
      docker(["tag", DEBIAN, tag]);
      const changed = await keyed("second-token-value-456", "debug", tag);
      expect(changed.code, changed.stderr).toBe(0);
      const busyboxId = docker(["image", "inspect", "-f", "{{.Id}}", BUSYBOX]).trim().slice(7, 19);
      const debianId = docker(["image", "inspect", "-f", "{{.Id}}", DEBIAN]).trim().slice(7, 19);
      expect(changed.stderr).toContain(
        `why: base image ${tag} changed (content id ${busyboxId} → ${debianId})`,
      );
      expect(changed.stderr).toContain("why: environment variable LEVEL changed");
      expect(changed.stderr).toContain("why: secret token mounted at /run/secrets/token changed");
      expect(changed.stderr).not.toContain("second-token-value-456");
      expect(changed.stderr).not.toContain("debug)");

      // afterwards, from the record: the last run, then one step of it by number
      const later = await f.gantry(["cache", "explain"]);
      expect(later.code, later.stderr).toBe(0);
      expect(later.stdout).toMatch(/^run \S+ \(obs\.keyed, docker, [\d.]+s, ok\)\n/);
      expect(later.stdout).toContain("why: environment variable LEVEL changed");
      expect(later.stdout).toContain("why: secret token mounted at /run/secrets/token changed");
      const n = /#(\d+) ✔ withExec sh -c "echo keyed"/.exec(later.stdout)?.[1];
      const one = await f.gantry(["cache", "explain", "last", `#${n}`]);
      expect(one.stdout).toContain(`#${n} ✔ withExec sh -c "echo keyed"`);
      expect(one.stdout).toContain(`why: base image ${tag} changed`);
      // the step alone, as progress shows it: the same step of the last run
      const alone = await f.gantry(["cache", "explain", `#${n}`]);
      expect(alone.code, alone.stderr).toBe(0);
      expect(alone.stdout).toBe(one.stdout);
      expect(later.stdout + one.stdout).not.toContain("second-token-value-456");
    } finally {
      docker(["rmi", tag]);
    }
  });

  it("counts an image build as a step that ran or came from cache", async () => {
    const f = observeFixture();
    const args = ["call", "--runtime=docker", "built", `--nonce=built-${Date.now()}`];
    expect((await f.gantry(args)).code).toBe(0);
    const first = await f.gantry(["cache", "explain"]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/#\d+ ✔ .*\n {3}why: /);
    expect(first.stdout).not.toContain("every step came from cache");
    expect((await f.gantry(args)).code).toBe(0);
    const again = await f.gantry(["cache", "explain"]);
    expect(again.stdout).toContain("every step came from cache (1 step)");
  });
});
