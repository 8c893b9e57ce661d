// `gantry doctor`: which runtime a run would use and why, and every problem found with what to do about it.
import { UsageError } from "../../errors.js";
import {
  diagnoseEngine,
  diagnoseSandbox,
  diskSpace,
  type DockerFacts,
  type SandboxFacts,
} from "../../runtime/diagnose.js";
import type { CliIo } from "../cli-io.js";
import type { GlobalOptions } from "../global-flags.js";
import { splitPositionals } from "../positional-args.js";
import {
  buildkitCheck,
  diskChecks,
  engineCheck,
  nodeCheck,
  runtimeCheck,
  sandboxCheck,
  type Check,
} from "./doctor-checks.js";

const HELP = `Check what Gantry needs on this machine, and say what to do about each problem.

Usage: gantry doctor [--runtime docker|host|auto]

Checks: Node.js, the runtime a run would use and why, the container engine (version, API), BuildKit
on the engine (POST /grpc), free disk for the cache, bubblewrap for the host runtime, OpenTelemetry.
Exits 1 when no runtime can run a pipeline.
`;

const MARK = { ok: "✔", warn: "⚠", fail: "✘" } as const;

/** Run `gantry doctor`; returns the exit code. */
export async function runDoctor(
  globals: GlobalOptions,
  rest: string[],
  io: CliIo,
): Promise<number> {
  const words = splitPositionals(rest, globals);
  if (globals.help) {
    io.stdout.write(HELP);
    return 0;
  }
  if (words.length)
    throw new UsageError(`gantry doctor takes no arguments, got ${words.join(" ")}`);
  const env = io.env;
  const [engine, sandbox]: [{ facts?: DockerFacts; problem?: string }, SandboxFacts] =
    await Promise.all([
      globals.runtime === "host"
        ? Promise.resolve({ problem: "not checked: --runtime=host" })
        : diagnoseEngine(env),
      diagnoseSandbox(env.stateDir),
    ]);
  const asked = env.runtime ? "GANTRY_RUNTIME" : "--runtime";
  const checks: Check[] = [
    nodeCheck(process.version),
    runtimeCheck(globals.runtime, engine, sandbox, asked),
  ];
  if (engine.facts) checks.push(engineCheck(engine.facts), buildkitCheck(engine.facts));
  const engineRoot =
    engine.facts?.isLocal && engine.facts.rootDir ? diskSpace(engine.facts.rootDir) : undefined;
  checks.push(
    ...diskChecks(
      env,
      diskSpace(env.stateDir),
      engineRoot?.path === engine.facts?.rootDir ? engineRoot : undefined,
    ),
  );
  checks.push(sandboxCheck({ ...sandbox, overlayOff: !env.hostOverlay }));
  checks.push(await otelCheck(io));
  for (const c of checks) {
    io.stdout.write(`${MARK[c.status]} ${c.name.padEnd(11)} ${c.found}\n`);
    if (c.fix) io.stdout.write(`  ${" ".repeat(11)} → ${c.fix}\n`);
  }
  const problems = checks.filter((c) => c.status !== "ok").length;
  io.stdout.write(
    problems
      ? `\n${problems} problem${problems === 1 ? "" : "s"} found.\n`
      : "\nEverything Gantry needs is here.\n",
  );
  return checks.some((c) => c.status === "fail") ? 1 : 0;
}

// Whether spans would be exported, where to, and a protocol Gantry cannot speak.
async function otelCheck(io: CliIo): Promise<Check> {
  const { otelConfig, otelEnabled } = await import("../../observe/otel/otel-config.js");
  if (!otelEnabled(io.env))
    return {
      status: "ok",
      name: "telemetry",
      found: "OpenTelemetry off (set OTEL_EXPORTER_OTLP_ENDPOINT to export spans)",
    };
  const { config, problem } = otelConfig(io.env);
  if (!config)
    return {
      status: "warn",
      name: "telemetry",
      found: problem ?? "unusable settings",
      fix: "set OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf (or http/json) and an OTLP/HTTP endpoint",
    };
  return {
    status: "ok",
    name: "telemetry",
    found: `spans go to ${config.url} (${config.protocol})`,
  };
}
