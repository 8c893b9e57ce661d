// A check whose tool is not in the image (exit 127: the shell found no such command) checked nothing: it says
// "not checked", never passed and never a failure of the project's code. The exit is turned into 0 with a marker
// line so the engine (which never caches a non-zero exit) keeps it: a warm ci runs nothing.
import { AFTER_TOOL_CHECK, deployRunContext, MISSING_TOOL_MARKER } from "../../engine/api/index.js";
import { commandArgv, lineWithArgs, showCommand, type Command } from "./command.js";

/** The argv of a shell-line check with the missing-tool marker; an argv command runs as given. */
export function checkArgv(cmd: Command, extra: readonly string[] = []): string[] {
  if (typeof cmd !== "string") return commandArgv(cmd, extra);
  const line = extra.length === 0 ? cmd : lineWithArgs(cmd);
  return [
    "sh",
    "-c",
    `${line}\n${AFTER_TOOL_CHECK}`,
    ...(extra.length === 0 ? [] : ["sh", ...extra]),
  ];
}

/** "not checked: …" when the check's output ends with the marker, else undefined. */
export function missingToolNote(output: string, cmd: Command, image: string): string | undefined {
  if (!output.trimEnd().endsWith(MISSING_TOOL_MARKER)) return undefined;
  const said = notFoundLine(output);
  const place = toolPlace(image);
  return (
    `not checked: ${showCommand(cmd)} could not run ${place.where}` +
    `${said ? ` (${said})` : ""}: ${place.fix}`
  );
}

/** The tool's own "not found" line in `output` (`sh: 1: bun: not found`), if it has one. */
export function notFoundLine(output: string): string | undefined {
  return output
    .split("\n")
    .find((l) => /not found|No such file|not installed/.test(l) && !l.includes(MISSING_TOOL_MARKER))
    ?.trim();
}

/**
 * Where this run's tasks find their tools, for messages: in the preset's image, or — on the host runtime, which
 * runs no image — on this host.
 */
export function toolPlace(image?: string): { where: string; fix: string } {
  let runtime = "docker";
  try {
    runtime = deployRunContext("a toolchain task").runtime;
  } catch {
    // outside a run (a unit test of the message): as on docker
  }
  return runtime === "host"
    ? {
        where: "on this host",
        fix: `install it on this host, or run with --runtime=docker${image ? ` (the task's image: ${image})` : ""}`,
      }
    : {
        where: image ? `in the image ${image}` : "in the task's image",
        fix: "add the tool to the project's dependencies or the image",
      };
}
