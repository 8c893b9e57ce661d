import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { RunEvent } from "../../src/engine/events.js";
import { readEnv } from "../../src/env.js";
import { createRenderer, resolveProgressMode } from "../../src/cli/progress/create-renderer.js";
import { formatDuration } from "../../src/cli/progress/format-step.js";
import { JsonRenderer } from "../../src/cli/progress/json-renderer.js";
import { PlainRenderer } from "../../src/cli/progress/plain-renderer.js";
import { TraceWriter } from "../../src/cli/progress/trace-writer.js";
import { TtyModel } from "../../src/cli/progress/tty-model.js";
import { TtyRenderer } from "../../src/cli/progress/tty-renderer.js";
import { tempDir } from "./module-test-helpers.js";

const T0 = new Date(2025, 0, 1, 12, 0, 1).getTime();
const start = (id: string, name: string, at = 0, parent?: string): RunEvent => ({
  type: "step.start",
  id,
  name,
  kind: "exec",
  time: T0 + at,
  ...(parent ? { parent } : {}),
});
const end = (
  id: string,
  status: "done" | "cached" | "failed" | "cancelled",
  at: number,
  extra: object = {},
): RunEvent => ({
  type: "step.end",
  id,
  status,
  time: T0 + at,
  ...extra,
});
const log = (id: string, text: string, at = 0): RunEvent => ({
  type: "step.log",
  id,
  stream: "stdout",
  text,
  time: T0 + at,
});

// A sink collecting everything written to it.
function sink(tty = false) {
  const s = { text: "", isTTY: tty, columns: 60, rows: 20, write: (t: string) => (s.text += t) };
  return s;
}

describe("plain progress", () => {
  it("prints one prefixed line per start, output line and end", () => {
    const out = sink();
    const r = new PlainRenderer(out, false);
    r.emit(start("s1", "withExec npm test"));
    r.emit(log("s1", "PASS a\nPA", 100));
    r.emit(log("s1", "SS b\n", 200));
    r.emit(end("s1", "done", 1200));
    r.emit(start("s2", "withExec npm ci", 1300));
    r.emit(end("s2", "cached", 1300));
    r.emit(start("s3", "withExec npm run lint", 1400));
    r.emit(end("s3", "failed", 2400, { exitCode: 1 }));
    expect(out.text).toBe(
      [
        "12:00:01 #1 ▶ withExec npm test",
        "12:00:01 #1 │ PASS a",
        "12:00:01 #1 │ PASS b",
        "12:00:02 #1 ✔ withExec npm test 1.2s",
        "12:00:02 #2 ▶ withExec npm ci",
        "12:00:02 #2 ● withExec npm ci (cached)",
        "12:00:02 #3 ▶ withExec npm run lint",
        "12:00:03 #3 ✘ withExec npm run lint exit 1",
        "",
      ].join("\n"),
    );
  });

  it("says why a step was not cached", () => {
    const out = sink();
    const r = new PlainRenderer(out, false);
    r.emit(start("s1", "withExec make"));
    r.emit(end("s1", "done", 500, { miss: "source changed: src/a.ts" }));
    expect(out.text).toContain("✔ withExec make 0.5s (source changed: src/a.ts)");
  });
});

describe("json progress", () => {
  it("writes each event as one JSON line", () => {
    const out = sink();
    const r = new JsonRenderer(out);
    const events = [start("s1", "x"), end("s1", "done", 5)];
    events.forEach((e) => r.emit(e));
    r.note("not an event");
    expect(
      out.text
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as RunEvent),
    ).toEqual(events);
  });
});

describe("choosing a renderer", () => {
  it("uses tty only on a terminal outside CI", () => {
    const env = readEnv({ HOME: "/h" });
    expect(resolveProgressMode("auto", sink(true), env)).toBe("tty");
    expect(resolveProgressMode("auto", sink(false), env)).toBe("plain");
    expect(resolveProgressMode("auto", sink(true), readEnv({ HOME: "/h", CI: "true" }))).toBe(
      "plain",
    );
    expect(createRenderer("json", sink(true), env)).toBeInstanceOf(JsonRenderer);
  });

  it("formats durations", () => {
    expect(formatDuration(340)).toBe("0.3s");
    expect(formatDuration(125_000)).toBe("2m05s");
  });
});

describe("the live tree", () => {
  it("shows running steps with their last log lines and collapses finished ones to one line", () => {
    const m = new TtyModel(false);
    m.apply(start("f", "test", 0));
    m.apply(start("s1", "withExec npm ci", 0, "f"));
    m.apply(log("s1", "one\ntwo\nthree\nfour\n"));
    expect(m.frame(T0 + 2000, 80, 20)).toEqual([
      expect.stringMatching(/^. test 2\.0s$/),
      expect.stringMatching(/^ {2}. withExec npm ci 2\.0s$/),
      "   │ two",
      "   │ three",
      "   │ four",
    ]);
    m.apply(end("s1", "done", 2500));
    m.apply(end("f", "done", 2600));
    expect(m.takeCommitted()).toEqual(["✔ test 2.6s"]);
    expect(m.frame(T0 + 3000, 80, 20)).toEqual([]);
  });

  it("keeps the output of a failed step in scrollback", () => {
    const m = new TtyModel(false);
    m.apply(start("s1", "withExec npm test"));
    m.apply(log("s1", "expected 1 to be 2\n"));
    m.apply(end("s1", "failed", 900, { exitCode: 1 }));
    expect(m.takeCommitted()).toEqual(["✘ withExec npm test exit 1", "  │ expected 1 to be 2"]);
  });

  it("cuts lines to the terminal width and the frame to its height", () => {
    const m = new TtyModel(false);
    for (let i = 0; i < 10; i++) m.apply(start(`s${i}`, `withExec ${"x".repeat(100)} ${i}`));
    const frame = m.frame(T0, 40, 5);
    expect(frame).toHaveLength(5);
    expect(frame.every((l) => l.length <= 40)).toBe(true);
    expect(frame[4]).toBe("… 6 more lines");
  });

  it("draws full step names on a terminal that reports 0 columns and 0 rows", () => {
    const out = Object.assign(sink(true), { columns: 0, rows: 0 });
    const r = new TtyRenderer(out, false, { intervalMs: 60_000, now: () => T0 });
    r.emit(start("s1", "withExec npm run build --workspace=api"));
    r.draw();
    expect(out.text).toContain("withExec npm run build --workspace=api 0.0s");
    r.stop();
  });

  it("redraws in place on a timer and restores the cursor when stopped", () => {
    const out = sink(true);
    let now = T0;
    const r = new TtyRenderer(out, false, { intervalMs: 60_000, now: () => now });
    r.note("runtime: host");
    r.emit(start("s1", "withExec sleep 1"));
    r.draw();
    now += 1000;
    r.draw();
    r.emit(end("s1", "done", 1000));
    r.stop();
    expect(out.text).toContain("\x1b[?25l");
    expect(out.text).toContain("\x1b[1A\r\x1b[J");
    expect(out.text).toContain("✔ withExec sleep 1 1.0s\n");
    expect(out.text.endsWith("\x1b[?25h")).toBe(true);
  });
});

describe("trace writer", () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir()));
  afterEach(() => cleanup());

  it("holds events until the run id is known, then appends every event as a JSON line", async () => {
    const w = new TraceWriter(path.join(dir, ".gantry/runs"));
    w.emit({ type: "warning", message: "early", time: T0 });
    w.open("run-1");
    w.emit(start("s1", "x"));
    await w.close();
    const lines = fs
      .readFileSync(path.join(dir, ".gantry/runs/run-1.jsonl"), "utf8")
      .trim()
      .split("\n");
    expect(lines.map((l) => (JSON.parse(l) as RunEvent).type)).toEqual(["warning", "step.start"]);
  });
});
