// Red team, continued: the same secret forms through the channels that came with observability (issue 11) —
// OpenTelemetry spans sent to a real OTLP receiver on loopback (JSON and protobuf), GitHub Actions groups,
// annotations and the step summary, `--progress=json` events of a failing step, and the HTML report of each
// run. Text is unescaped as its reader would (HTML entities, workflow-command escapes) before it is searched.
import { readFileSync, writeFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gantryCli, reliabilityWork } from "../helpers/reliability-fixture.js";
import { startOtlpReceiver, type OtlpReceiver } from "../helpers/otlp-receiver.js";
import {
  leaks,
  leaksInMarkup,
  leaksInWorkflowCommands,
  secretEnv,
  secretFlags,
} from "../helpers/red-team-secret.js";
import { listRuns } from "../../src/observe/run-records.js";
import { projectStateDir } from "../../src/store/project-state-dir.js";

const { work, mod } = reliabilityWork();
let rx: OtlpReceiver;
beforeAll(async () => {
  rx = await startOtlpReceiver();
});
afterAll(async () => {
  await rx.close();
  await rm(work, { recursive: true, force: true });
});

const state = path.join(work, "state");
const base = { GANTRY_STATE_DIR: state, ...secretEnv };
const otel = (protocol: "http/json" | "http/protobuf") => ({
  OTEL_EXPORTER_OTLP_ENDPOINT: rx.endpoint,
  OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
});
const github = (summary: string) => ({
  GITHUB_ACTIONS: "true",
  GITHUB_STEP_SUMMARY: summary,
  GITHUB_WORKSPACE: work,
});

describe("secrets, red team: observability channels", () => {
  it("no form of a secret leaves through spans, GitHub output, JSON events or the HTML report", async () => {
    const found: Record<string, string[]> = {};
    const note = (channel: string, forms: string[]) => {
      if (forms.length > 0) found[channel] = forms;
    };
    // red-team-throw takes the token alone
    const call = (fn: string) => [
      "call",
      "-m",
      mod,
      "--runtime=docker",
      fn,
      ...(fn === "red-team-throw" ? secretFlags.slice(0, 1) : secretFlags),
    ];

    // 1. a failing step inside GitHub Actions, spans as OTLP/JSON
    const summary = path.join(work, "summary.md");
    writeFileSync(summary, "");
    const a = await gantryCli(call("red-team-fail"), {
      ...base,
      ...github(summary),
      ...otel("http/json"),
    });
    expect(a.status, a.out).toBe(1);
    // the channels really carried the step's output (masked): a group, annotations, the summary
    expect(a.stderr).toMatch(/::group::✘ withExec sh -c/);
    expect(a.stderr).toMatch(
      /::error file=\/src\/app\.ts,line=4,col=2,[^\n]*::error: bad token \*\*\*\n/,
    );
    expect(a.stderr).toMatch(
      /::error file=\/src\/app\.ts,line=5,col=2,[^\n]*::error: b64 \*\*\*\n/,
    );
    expect(a.stderr).toContain("::add-mask::");
    const md = readFileSync(summary, "utf8");
    expect(md).toContain("plain=***");
    note("GitHub groups and annotations (stderr)", leaksInWorkflowCommands(a.stderr));
    note("stdout (GitHub)", leaks(a.stdout));
    note("GitHub step summary", leaksInMarkup(md));

    // 2. the succeeding step inside GitHub Actions, spans as OTLP/protobuf
    const b = await gantryCli(call("red-team"), {
      ...base,
      ...github(path.join(work, "summary-2.md")),
      ...otel("http/protobuf"),
    });
    expect(b.status, b.out).toBe(0);
    note("GitHub groups (stderr, succeeding run)", leaksInWorkflowCommands(b.stderr));
    note(
      "GitHub step summary (succeeding run)",
      leaksInMarkup(readFileSync(path.join(work, "summary-2.md"), "utf8")),
    );

    // 3. every form in a command's arguments: the step's name, span, group and annotation titles, summary row
    const commandSummary = path.join(work, "summary-3.md");
    const c = await gantryCli(call("red-team-command"), {
      ...base,
      ...github(commandSummary),
      ...otel("http/json"),
    });
    expect(c.status, c.out).toBe(1);
    expect(c.stderr).toMatch(/::group::✘ withExec sh -c "for a in[^\n]*\*\*\*/);
    expect(c.stderr).toMatch(
      /::error file=\/src\/app\.ts,line=7,col=1,title=[^\n]*::error: arg \*\*\*\n/,
    );
    note("GitHub output of a command holding the forms", leaksInWorkflowCommands(c.stderr));
    note("stdout (command)", leaks(c.stdout));
    note("GitHub step summary (command)", leaksInMarkup(readFileSync(commandSummary, "utf8")));

    // 4. the same with JSON progress events, and 5. the module's own console and thrown error
    for (const fn of ["red-team-command", "red-team-fail", "red-team-throw"]) {
      const d = await gantryCli(["--progress=json", ...call(fn)], {
        ...base,
        ...otel("http/json"),
      });
      expect(d.status, d.out).toBe(1);
      expect(d.stderr).toMatch(/^\{"type":"run\.start"/);
      expect(d.stderr).toContain("***");
      note(`JSON events of ${fn}`, leaks(d.stderr));
      note(`stdout of ${fn} (JSON progress)`, leaks(d.stdout));
    }

    // every span the receiver got, JSON and protobuf alike: names, commands, status messages
    const kinds = new Set(rx.raw.map((x) => x.contentType));
    expect(kinds).toEqual(new Set(["application/json", "application/x-protobuf"]));
    const bodies = rx.raw.map((x) => x.body.toString()).join("\n");
    expect(bodies).toMatch(/error: arg \$a[^\n]* exit 3\\*" sh \*\*\* \*\*\*/); // a span's name held the forms, masked
    expect(bodies).toContain("the token *** was refused"); // the thrown error, the run's status message
    note("OpenTelemetry spans", leaks(bodies));

    // the HTML report of each run
    const runsDir = path.join(projectStateDir(state, mod), "runs");
    const runs = listRuns(runsDir);
    expect(runs.length).toBe(6);
    for (const run of runs) {
      const r = await gantryCli(["report", "-m", mod, run], base);
      expect(r.status, r.out).toBe(0);
      const html = readFileSync(r.stdout.trim(), "utf8");
      expect(html).toContain("***");
      note(`HTML report of ${run}`, leaksInMarkup(html));
    }

    expect(found).toEqual({});
  });
});
