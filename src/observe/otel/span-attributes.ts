// Run events → the OpenTelemetry CI/CD semantic conventions (cicd.*, vcs.*) plus Gantry's own gantry.* attributes.
// Pure functions, so the mapping is unit-tested without an exporter.
import type { RunEvent } from "../../engine/api/index.js";

export type Attributes = Record<string, string | number | boolean | string[]>;
type StepStart = Extract<RunEvent, { type: "step.start" }>;
type StepEnd = Extract<RunEvent, { type: "step.end" }>;

/** `cicd.pipeline.result` / `cicd.pipeline.task.run.result` values of the conventions. */
export type CicdResult = "success" | "failure" | "error" | "timeout" | "cancellation" | "skip";

/** What the run is: the conventions' pipeline, named `{module}.{function}` (or the command's label). */
export interface RunIdentity {
  runId: string;
  pipeline: string;
  runtime: string;
  /** From git, when the project is a checkout. */
  revision?: string;
  repositoryUrl?: string;
}

/** The run span's name: `{action} {pipeline}`, as the conventions ask. */
export function runSpanName(pipeline: string): string {
  return `RUN ${pipeline}`;
}

/** Attributes of the run span at its start. */
export function runAttributes(id: RunIdentity): Attributes {
  const a: Attributes = {
    "cicd.pipeline.name": id.pipeline,
    "cicd.pipeline.run.id": id.runId,
    "cicd.pipeline.action.name": "RUN",
    "gantry.runtime": id.runtime,
  };
  Object.assign(a, vcsAttributes(id));
  return a;
}

/** `vcs.ref.head.revision` and `vcs.repository.url.full`, where git told them. */
export function vcsAttributes(id: Pick<RunIdentity, "revision" | "repositoryUrl">): Attributes {
  const a: Attributes = {};
  if (id.revision) a["vcs.ref.head.revision"] = id.revision;
  if (id.repositoryUrl) a["vcs.repository.url.full"] = id.repositoryUrl;
  return a;
}

/** A task's type, where its name says it: the conventions know build, test and deploy. */
export function taskTypeOf(start: StepStart): "build" | "test" | "deploy" | undefined {
  const text = start.kind === "exec" ? (start.command ?? []).join(" ") : start.name;
  if (start.kind === "publish") return "deploy";
  if (start.kind === "build") return "build";
  if (start.kind !== "function" && start.kind !== "exec") return undefined;
  if (/\b(test|tests|pytest|jest|vitest|mocha|rspec|check)\b/i.test(text)) return "test";
  if (/\b(deploy|release|publish)\b/i.test(text)) return "deploy";
  if (/\b(build|compile|bundle)\b/i.test(text)) return "build";
  return undefined;
}

/** Attributes of a step's span at its start. */
export function stepStartAttributes(runId: string, e: StepStart): Attributes {
  const a: Attributes = {
    "cicd.pipeline.task.name": e.name,
    "cicd.pipeline.task.run.id": `${runId}/${e.id}`,
    "gantry.step.kind": e.kind,
  };
  const type = taskTypeOf(e);
  if (type) a["cicd.pipeline.task.type"] = type;
  if (e.digest) a["gantry.digest"] = e.digest;
  if (e.image) a["gantry.image"] = e.image;
  if (e.command) a["gantry.command"] = e.command;
  if (e.workdir) a["gantry.workdir"] = e.workdir;
  return a;
}

/** The conventions' result of a step from its end status. A cached step succeeded: its result was reused. */
export function taskResultOf(status: StepEnd["status"]): CicdResult {
  switch (status) {
    case "done":
    case "cached":
      return "success";
    case "failed":
      return "failure";
    case "cancelled":
      return "cancellation";
    case "would-run":
      return "skip";
  }
}

/** Attributes set when a step ends. */
export function stepEndAttributes(e: StepEnd): Attributes {
  const a: Attributes = {
    "cicd.pipeline.task.run.result": taskResultOf(e.status),
    "gantry.cached": e.status === "cached",
  };
  if (e.exitCode !== undefined) a["gantry.exit_code"] = e.exitCode;
  if (e.miss) a["gantry.cache.miss"] = e.miss;
  if (e.status === "failed") a["error.type"] = e.exitCode !== undefined ? "exit_code" : "error";
  return a;
}
