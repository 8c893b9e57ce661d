// The observability pieces that need no engine: JUnit, the span mapping, trace context, OTLP settings,
// the critical path, and the progress views' --explain/--verbose/--debug/colour rules.
import { describe, expect, it } from "vitest";
import { parseJunit, totalsOf } from "../../src/observe/junit.js";
import {
  stepEndAttributes,
  stepStartAttributes,
  taskTypeOf,
} from "../../src/observe/otel/span-attributes.js";
import { formatTraceparent, parseTraceparent } from "../../src/observe/otel/traceparent.js";
import { otelConfig, otelEnabled } from "../../src/observe/otel/otel-config.js";
import { withoutCredentials } from "../../src/observe/git-info.js";
import { criticalPath } from "../../src/observe/report/timeline.js";
import { RunModelBuilder } from "../../src/observe/run-model.js";
import { readEnv } from "../../src/env.js";
import { PlainRenderer } from "../../src/cli/progress/plain-renderer.js";
import { TtyModel } from "../../src/cli/progress/tty-model.js";
import { resolveProgressMode, useColor } from "../../src/cli/progress/create-renderer.js";
import type { RunEvent } from "../../src/engine/events.js";

describe("JUnit", () => {
  it("reads suites, cases, failures, errors and skips, with entities and CDATA", () => {
    const cases = parseJunit(`<?xml version="1.0"?>
<testsuites><testsuite name="a &amp; b"><testcase name="ok" classname="k" time="0.5" file="t.py" line="3"/>
<testcase name="bad"><failure message="1 &lt; 2"><![CDATA[trace <here>]]></failure></testcase>
<testcase name="boom"><error message="crash"/></testcase><testcase name="later"><skipped/></testcase></testsuite>
<testsuite name="empty"/></testsuites>`);
    expect(cases).toEqual([
      {
        suite: "a & b",
        name: "ok",
        classname: "k",
        file: "t.py",
        line: 3,
        timeSec: 0.5,
        status: "passed",
      },
      { suite: "a & b", name: "bad", status: "failed", message: "1 < 2", details: "trace <here>" },
      { suite: "a & b", name: "boom", status: "error", message: "crash" },
      { suite: "a & b", name: "later", status: "skipped" },
    ]);
    expect(totalsOf(cases)).toEqual({ total: 4, passed: 1, failed: 2, skipped: 1 });
  });
});

describe("spans", () => {
  const start = (over: Partial<Extract<RunEvent, { type: "step.start" }>>) =>
    ({ type: "step.start", id: "s1", name: "x", kind: "exec", time: 0, ...over }) as Extract<
      RunEvent,
      { type: "step.start" }
    >;
  it("maps steps to the CI/CD task attributes, with a type only where it is known", () => {
    expect(taskTypeOf(start({ command: ["npm", "test"] }))).toBe("test");
    expect(taskTypeOf(start({ command: ["go", "build", "./..."] }))).toBe("build");
    expect(taskTypeOf(start({ kind: "function", name: "deploy" }))).toBe("deploy");
    expect(taskTypeOf(start({ command: ["ls"] }))).toBeUndefined();
    expect(
      stepStartAttributes(
        "r1",
        start({ digest: "sha256:x", image: "busybox", command: ["npm", "test"] }),
      ),
    ).toEqual({
      "cicd.pipeline.task.name": "x",
      "cicd.pipeline.task.run.id": "r1/s1",
      "cicd.pipeline.task.type": "test",
      "gantry.step.kind": "exec",
      "gantry.digest": "sha256:x",
      "gantry.image": "busybox",
      "gantry.command": ["npm", "test"],
    });
    expect(
      stepEndAttributes({ type: "step.end", id: "s1", status: "cached", time: 1, exitCode: 0 }),
    ).toEqual({
      "cicd.pipeline.task.run.result": "success",
      "gantry.cached": true,
      "gantry.exit_code": 0,
    });
  });

  it("reads and writes W3C trace context, ignoring malformed values", () => {
    const tp = formatTraceparent("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7");
    expect(tp).toBe("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    expect(parseTraceparent(tp)).toEqual({
      traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
      spanId: "00f067aa0ba902b7",
      sampled: true,
    });
    expect(
      parseTraceparent("00-00000000000000000000000000000000-00f067aa0ba902b7-01"),
    ).toBeUndefined();
    expect(parseTraceparent("garbage")).toBeUndefined();
  });

  it("builds the exporter's URL and headers from the standard variables", () => {
    const env = readEnv({
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318/",
      OTEL_EXPORTER_OTLP_HEADERS: "authorization=Bearer%20x,bad",
    });
    expect(otelEnabled(env)).toBe(true);
    expect(otelConfig(env).config).toMatchObject({
      url: "http://c:4318/v1/traces",
      protocol: "http/protobuf",
      headers: { authorization: "Bearer x" },
      serviceName: "gantry",
    });
    expect(
      otelConfig(readEnv({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://t/x" })).config?.url,
    ).toBe("http://t/x");
    expect(
      otelEnabled(readEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://c", OTEL_SDK_DISABLED: "true" })),
    ).toBe(false);
    expect(otelEnabled(readEnv({}))).toBe(false);
    expect(
      otelConfig(
        readEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://c", OTEL_EXPORTER_OTLP_PROTOCOL: "grpc" }),
      ).problem,
    ).toContain("grpc is not supported");
  });

  it("never sends a remote's credentials", () => {
    expect(withoutCredentials("https://bot:tok@github.com/a/b.git")).toBe(
      "https://github.com/a/b.git",
    );
    expect(withoutCredentials("git@github.com:a/b.git")).toBe("git@github.com:a/b.git");
  });
});

describe("critical path", () => {
  it("follows the waits back from the last step, skipping steps that took no time", () => {
    const b = new RunModelBuilder();
    const step = (id: string, start: number, end: number, status: "done" | "cached" = "done") => {
      b.emit({ type: "step.start", id, name: id, kind: "exec", time: start });
      b.emit({ type: "step.end", id, status, time: end });
    };
    step("setup", 0, 1000);
    step("lint", 1000, 1500);
    step("test", 1000, 3000);
    step("cached", 2990, 2995, "cached");
    step("build", 3000, 4000);
    expect([...criticalPath(b.model.steps)].sort()).toEqual(["build", "setup", "test"]);
  });
});

describe("progress detail and colour", () => {
  const why: RunEvent = {
    type: "step.end",
    id: "s1",
    status: "done",
    time: 1000,
    miss: "withDirectory /src changed (2 files: ~a, +b)",
    why: [
      { input: "withDirectory /src", change: "changed", files: ["~a", "+b"], fileCount: 2 },
      { input: "environment variable CI", change: "new" },
    ],
  };
  const start: RunEvent = {
    type: "step.start",
    id: "s1",
    name: "withExec make",
    kind: "exec",
    time: 0,
    digest: "sha256:0123456789abcdef",
  };

  it("plain: --explain lists every changed input, --debug tags steps with id and digest", () => {
    let text = "";
    const r = new PlainRenderer({ write: (t: string) => (text += t) }, false, {
      explain: true,
      debug: true,
    });
    r.emit(start);
    r.emit(why);
    expect(text).toMatch(/#1 ▶ withExec make \[s1 0123456789ab\]\n/);
    expect(text).toMatch(
      /#1 {3}why: withDirectory \/src changed \(2 files: ~a, \+b\)\n.*#1 {3}why: environment variable CI is new\n$/s,
    );
    // the reasons are said once: the end line leaves out its summary when they follow it
    expect(text).toMatch(/#1 ✔ withExec make 1\.0s\n/);
    expect(text.split("withDirectory /src changed").length - 1).toBe(1);
    let plain = "";
    const p = new PlainRenderer({ write: (t: string) => (plain += t) }, false);
    p.emit(start);
    p.emit(why);
    expect(plain).not.toContain("why:");
    // without --explain the end line keeps the summary
    expect(plain).toMatch(
      /#1 ✔ withExec make 1\.0s \(withDirectory \/src changed \(2 files: ~a, \+b\)\)\n/,
    );
    expect(plain).not.toContain("[s1");
  });

  it("tty: --verbose keeps every line of a finished step; the default keeps none of a successful one", () => {
    const run = (verbose: boolean) => {
      const m = new TtyModel(false, { verbose });
      m.apply({ type: "step.start", id: "f", name: "fn", kind: "function", time: 0 });
      m.apply({ ...start, parent: "f" } as RunEvent);
      m.apply({ type: "step.log", id: "s1", stream: "stdout", text: "line 1\nline 2\n", time: 1 });
      m.apply(why);
      m.apply({ type: "step.end", id: "f", status: "done", time: 1000 });
      return m.takeCommitted().join("\n");
    };
    expect(run(true)).toContain("✔ withExec make 1.0s\n");
    expect(run(true).split("withDirectory /src changed").length - 1).toBe(1);
    expect(run(true)).toMatch(/│ line 1\n.*│ line 2/s);
    expect(run(false)).not.toContain("line 1");
  });

  it("honours NO_COLOR, --no-color, FORCE_COLOR and TERM=dumb", () => {
    const tty = { isTTY: true, write: () => true };
    const pipe = { isTTY: false, write: () => true };
    expect(useColor(tty, readEnv({}))).toBe(true);
    expect(useColor(tty, readEnv({ NO_COLOR: "1" }))).toBe(false);
    expect(useColor(tty, readEnv({ NO_COLOR: "1", FORCE_COLOR: "1" }))).toBe(false);
    expect(useColor(tty, readEnv({}), true)).toBe(false);
    expect(useColor(pipe, readEnv({}))).toBe(false);
    expect(useColor(pipe, readEnv({ FORCE_COLOR: "1" }))).toBe(true);
    expect(useColor(pipe, readEnv({ FORCE_COLOR: "0" }))).toBe(false);
    expect(useColor(tty, readEnv({ TERM: "dumb" }))).toBe(false);
    expect(resolveProgressMode("auto", tty, readEnv({ TERM: "dumb" }))).toBe("plain");
    expect(resolveProgressMode("auto", tty, readEnv({}))).toBe("tty");
  });
});
