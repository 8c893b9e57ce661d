// A check's command runs in a shell line that turns "command not found" (exit 127) into a marker line and exit 0, so
// the engine (which never caches a non-zero exit) keeps the result and the toolchain can say "not checked". The
// engine owns the wrapper's text so that a step's name shows the project's command, not the wrapper around it.

/** The line a wrapped command prints (last, on stderr) when its tool was not found. */
export const MISSING_TOOL_MARKER = "gantry: tool not found (exit 127)";

/** Shell lines run after a command: exit 127 becomes the marker and exit 0, every other exit stays. */
export const AFTER_TOOL_CHECK = `c=$?; if [ "$c" = 127 ]; then echo '${MISSING_TOOL_MARKER}' >&2; exit 0; fi; exit "$c"`;

/** A `sh -c` script without the wrapper's lines after it (or as it is). */
export function withoutToolCheck(script: string): string {
  return script.endsWith(`\n${AFTER_TOOL_CHECK}`)
    ? script.slice(0, -`\n${AFTER_TOOL_CHECK}`.length)
    : script;
}
