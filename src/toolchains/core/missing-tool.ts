// A check whose tool is not in the image (exit 127: the shell found no such command) checked nothing: it says
// "not checked", never passed and never a failure of the project's code. The exit is turned into 0 with a marker
// line so the engine (which never caches a non-zero exit) keeps it: a warm ci runs nothing.
import { commandArgv, lineWithArgs, showCommand, type Command } from "./command.js";

/** The line a wrapped command prints (last, on stderr) when its tool was not found. */
export const MISSING = "gantry: tool not found (exit 127)";
/** Shell lines run after a command: exit 127 becomes the marker and exit 0, every other exit stays. */
export const AFTER = `c=$?; if [ "$c" = 127 ]; then echo '${MISSING}' >&2; exit 0; fi; exit "$c"`;

/** The argv of a shell-line check with the missing-tool marker; an argv command runs as given. */
export function checkArgv(cmd: Command, extra: readonly string[] = []): string[] {
  if (typeof cmd !== "string") return commandArgv(cmd, extra);
  const line = extra.length === 0 ? cmd : lineWithArgs(cmd);
  return ["sh", "-c", `${line}\n${AFTER}`, ...(extra.length === 0 ? [] : ["sh", ...extra])];
}

/** "not checked: …" when the check's output ends with the marker, else undefined. */
export function missingToolNote(output: string, cmd: Command, image: string): string | undefined {
  if (!output.trimEnd().endsWith(MISSING)) return undefined;
  const said = output
    .split("\n")
    .find((l) => /not found|No such file/.test(l) && !l.includes(MISSING));
  return (
    `not checked: ${showCommand(cmd)} could not run in the image ${image}` +
    `${said ? ` (${said.trim()})` : ""}: add the tool to the project's dependencies or the image`
  );
}
