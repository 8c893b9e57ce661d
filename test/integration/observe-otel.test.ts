// OpenTelemetry through the official SDK to a real OTLP/HTTP receiver on loopback: the CI/CD conventions' tree,
// TRACEPARENT inside execs (and out of their cache keys), nesting under a caller's trace, no secret in any span.
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUSYBOX } from "../helpers/test-session.js";
import { observeFixture, type ObserveFixture } from "../helpers/observe-fixture.js";
import {
  startOtlpReceiver,
  type OtlpReceiver,
  type ReceivedSpan,
} from "../helpers/otlp-receiver.js";

let f: ObserveFixture;
let rx: OtlpReceiver;
beforeAll(async () => {
  f = observeFixture();
  // a checkout with a remote that carries credentials: the span must show the URL without them
  const git = (...a: string[]) => execFileSync("git", a, { cwd: f.mod, stdio: "pipe" });
  git("init", "-q");
  git(
    "-c",
    "user.email=t@example.com",
    "-c",
    "user.name=t",
    "commit",
    "-q",
    "--allow-empty",
    "-m",
    "x",
  );
  git("remote", "add", "origin", "https://ci-bot:remote-password-789@example.com/team/app.git");
  rx = await startOtlpReceiver();
});
afterAll(() => rx.close());

const otelEnv = (extra: Record<string, string> = {}) => ({
  OTEL_EXPORTER_OTLP_ENDPOINT: rx.endpoint,
  OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
  OTEL_SERVICE_NAME: "ci-of-app",
  ...extra,
});

// The spans of one run, by its run id.
function runSpans(runId: string): ReceivedSpan[] {
  const root = rx.spans.find((s) => s.attributes["cicd.pipeline.run.id"] === runId);
  return root ? rx.spans.filter((s) => s.traceId === root.traceId) : [];
}

describe("OpenTelemetry export", () => {
  it("sends the run as a SERVER span with the CI/CD attributes, steps as children, flushed before exit", async () => {
    const nonce = `otel-${Date.now()}`;
    const r = await f.gantry(
      ["call", "--runtime=docker", "--progress=json", "traced", `--nonce=${nonce}`],
      otelEnv(),
    );
    expect(r.code, r.stderr).toBe(0);
    const runId = (JSON.parse(r.stderr.split("\n")[0]!) as { runId: string }).runId;
    const spans = runSpans(runId); // received by the time the CLI returned: flushed before exit
    const root = spans.find((s) => s.kind === 2)!;
    expect(root.name).toBe("RUN obs.traced");
    expect(root.parentSpanId).toBeUndefined();
    const head = execFileSync("git", ["rev-parse", "HEAD"], {
      cwd: f.mod,
      encoding: "utf8",
    }).trim();
    expect(root.attributes).toMatchObject({
      "cicd.pipeline.name": "obs.traced",
      "cicd.pipeline.run.id": runId,
      "cicd.pipeline.result": "success",
      "cicd.pipeline.action.name": "RUN",
      "vcs.ref.head.revision": head,
      "vcs.repository.url.full": "https://example.com/team/app.git",
      "gantry.runtime": "docker",
    });
    expect(root.resource["service.name"]).toBe("ci-of-app");
    const fn = spans.find((s) => s.name === "traced")!;
    expect(fn.parentSpanId).toBe(root.spanId);
    expect(fn.attributes).toMatchObject({
      "cicd.pipeline.task.name": "traced",
      "cicd.pipeline.task.run.id": `${runId}/gantry-call`,
      "cicd.pipeline.task.run.result": "success",
      "gantry.step.kind": "function",
    });
    const exec = spans.find((s) => s.name.startsWith("withExec"))!;
    expect(exec.parentSpanId).toBe(fn.spanId);
    expect(exec.attributes).toMatchObject({
      "cicd.pipeline.task.run.result": "success",
      "gantry.cached": false,
      "gantry.exit_code": 0,
      "gantry.image": BUSYBOX,
      "gantry.command": ["sh", "-c", 'echo "traceparent=$TRACEPARENT"'],
    });
    expect(exec.attributes["gantry.digest"]).toMatch(/^sha256:/);
    expect(exec.startMs).toBeGreaterThanOrEqual(fn.startMs);
    expect(exec.endMs).toBeLessThanOrEqual(root.endMs);
    // the exec saw its own span as TRACEPARENT
    expect(r.stdout).toBe(`traceparent=00-${exec.traceId}-${exec.spanId}-01\n`);
    expect(JSON.stringify(spans)).not.toContain("remote-password-789");

    // a second run, started under a caller's trace: the run nests under it, and the exec comes from cache
    // (TRACEPARENT changes every run, and must not be part of the exec's key)
    const callerTrace = "4bf92f3577b34da6a3ce929d0e0e4736";
    const again = await f.gantry(
      ["call", "--runtime=docker", "--progress=json", "traced", `--nonce=${nonce}`],
      otelEnv({ TRACEPARENT: `00-${callerTrace}-00f067aa0ba902b7-01` }),
    );
    expect(again.code, again.stderr).toBe(0);
    const runId2 = (JSON.parse(again.stderr.split("\n")[0]!) as { runId: string }).runId;
    const spans2 = runSpans(runId2);
    const root2 = spans2.find((s) => s.kind === 2)!;
    expect(root2.traceId).toBe(callerTrace);
    expect(root2.parentSpanId).toBe("00f067aa0ba902b7");
    const exec2 = spans2.find((s) => s.name.startsWith("withExec"))!;
    expect(exec2.attributes["gantry.cached"]).toBe(true);
    expect(exec2.attributes["cicd.pipeline.task.run.result"]).toBe("success");
    expect(again.stdout).toBe(r.stdout); // the cached output, from the first run
  });

  it("marks a failed run and step, and no span carries a secret", async () => {
    const tokenFile = path.join(f.work, "otel-token");
    writeFileSync(tokenFile, "span-secret-value-314");
    const r = await f.gantry(
      [
        "call",
        "--runtime=docker",
        "--progress=json",
        "leak-arg",
        `--token=file:${tokenFile}`,
        `--nonce=${Date.now()}`,
      ],
      otelEnv(),
    );
    expect(r.code).toBe(1);
    const runId = (JSON.parse(r.stderr.split("\n")[0]!) as { runId: string }).runId;
    const spans = runSpans(runId);
    const root = spans.find((s) => s.kind === 2)!;
    expect(root.attributes["cicd.pipeline.result"]).toBe("failure");
    expect(root.status?.code).toBe(2);
    const exec = spans.find((s) => s.name.startsWith("withExec"))!;
    expect(exec.attributes).toMatchObject({
      "cicd.pipeline.task.run.result": "failure",
      "gantry.exit_code": 3,
      "error.type": "exit_code",
    });
    // the command held the value: the span's name and command attribute hold the mask instead
    expect(exec.name).toMatch(/^withExec sh -c "echo \\"got \*\*\*\\"; echo/);
    expect(exec.attributes["gantry.command"]).toEqual([
      "sh",
      "-c",
      'echo "got ***"; echo "/src/app.ts:4:2: bad token ***" >&2; exit 3',
    ]);
    const everything = rx.raw.map((x) => x.body.toString()).join("\n");
    expect(everything).not.toContain("span-secret-value-314");
  });

  it("speaks http/protobuf by default", async () => {
    const before = rx.raw.length;
    const r = await f.gantry(["call", "--runtime=docker", "traced", `--nonce=pb-${Date.now()}`], {
      OTEL_EXPORTER_OTLP_ENDPOINT: rx.endpoint,
    });
    expect(r.code, r.stderr).toBe(0);
    const sent = rx.raw.slice(before);
    expect(sent.map((x) => x.contentType)).toContain("application/x-protobuf");
    expect(Buffer.concat(sent.map((x) => x.body)).includes("RUN obs.traced")).toBe(true);
  });

  it("warns, and still runs, when the endpoint does not answer", async () => {
    const r = await f.gantry(["call", "--runtime=docker", "traced", `--nonce=x-${Date.now()}`], {
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:9",
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(
      "warning: OpenTelemetry: spans could not be sent to http://127.0.0.1:9/v1/traces",
    );
  });
});
