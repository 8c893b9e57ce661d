// A project's own command, as a preset's option takes it: a shell line ("npm run lint") or an argv.

/** `"npm run lint"` runs through `sh -c`; `["npm", "run", "lint"]` runs as given. */
export type Command = string | readonly string[];

/**
 * The argv that runs `cmd` with `extra` arguments appended (the options a person passes through, such as
 * `--args=--grep=slow`): for a shell line they reach it as `"$@"`, so they are never re-split or expanded.
 */
export function commandArgv(cmd: Command, extra: readonly string[] = []): string[] {
  if (typeof cmd === "string") {
    return extra.length === 0 ? ["sh", "-c", cmd] : ["sh", "-c", lineWithArgs(cmd), "sh", ...extra];
  }
  const separator = extra.length > 0 && needsNpmSeparator(cmd) ? ["--"] : [];
  return [...cmd, ...separator, ...extra];
}

/**
 * A shell line with the arguments a person passed through appended as `"$@"` — after `--` when the line runs an npm
 * script: npm takes `--grep=slow` before `--` as its own config and the script never sees it (pnpm, yarn and bun pass
 * a script's arguments on as they are). A line with `"$@"` of its own gets them there: a recipe of several commands
 * (`go test "$@" ./... && go tool cover …`) says which command takes them.
 */
export function lineWithArgs(cmd: string): string {
  // a line that places them itself (`go test "$@" ./... && go tool cover …`): there, not after its last command
  if (cmd.includes('"$@"')) return cmd;
  return `${cmd}${needsNpmSeparator(lastCommand(cmd)) ? " --" : ""} "$@"`;
}

// The words of a shell line's last command (what appended arguments reach), without its `VAR=value` assignments.
function lastCommand(line: string): string[] {
  const last = line.split(/&&|\|\||;|\|/).at(-1) ?? "";
  const words = last.trim().split(/\s+/);
  return words.slice(words.findIndex((w) => !/^\w+=/.test(w)));
}

// Whether the words run an npm script (`npm run lint`, `npm test`) without a `--` of their own.
function needsNpmSeparator(words: readonly string[]): boolean {
  return (
    words[0] === "npm" &&
    /^(run|run-script|rum|urn|test|tst|t|start)$/.test(words[1] ?? "") &&
    !words.includes("--")
  );
}

/** A command as a person would type it, for messages and the catalog's docs. */
export function showCommand(cmd: Command): string {
  if (typeof cmd === "string") return cmd;
  return cmd
    .map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`))
    .join(" ");
}

/** `{step}` in a command (rollback) replaced by a value. */
export function fillCommand(cmd: Command, vars: Record<string, string>): Command {
  const fill = (s: string): string => s.replace(/\{(\w+)\}/g, (m, k: string) => vars[k] ?? m);
  return typeof cmd === "string" ? fill(cmd) : cmd.map(fill);
}
