// Splits a `command:`/`entrypoint:` string into argv with POSIX shell quoting, exactly as
// docker-compose does (docker-py hands the string to Python's `shlex.split`): no variables, no
// globbing, `#` is not a comment.
import type { At } from "./at.js";

const SPACE = new Set([" ", "\t", "\r", "\n"]);

/** `sh -c 'echo "hi there"'` → `["sh", "-c", 'echo "hi there"']`. */
export function splitCommand(s: string, at: At): string[] {
  const args: string[] = [];
  let cur: string | undefined;
  let i = 0;
  const unterminated = (what: string): never =>
    at.fail(`${what} in command string ${JSON.stringify(s)}`);
  while (i < s.length) {
    const c = s[i] as string;
    if (SPACE.has(c)) {
      if (cur !== undefined) args.push(cur);
      cur = undefined;
      i++;
    } else if (c === "'") {
      const end = s.indexOf("'", i + 1);
      if (end < 0) unterminated("unterminated single quote");
      cur = (cur ?? "") + s.slice(i + 1, end);
      i = end + 1;
    } else if (c === '"') {
      let j = i + 1;
      let word = "";
      // Inside double quotes a backslash escapes only `"` and `\` (shlex's POSIX rule).
      while (j < s.length && s[j] !== '"') {
        if (s[j] === "\\" && (s[j + 1] === '"' || s[j + 1] === "\\")) j++;
        word += s[j];
        j++;
      }
      if (j >= s.length) unterminated("unterminated double quote");
      cur = (cur ?? "") + word;
      i = j + 1;
    } else if (c === "\\") {
      if (i + 1 >= s.length) unterminated("a trailing backslash");
      cur = (cur ?? "") + s[i + 1];
      i += 2;
    } else {
      cur = (cur ?? "") + c;
      i++;
    }
  }
  if (cur !== undefined) args.push(cur);
  return args;
}
