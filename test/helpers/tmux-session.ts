// A real pseudo-terminal for tests of interactive shells: a command in a detached tmux session, keys sent, the
// screen read with capture-pane, and polling until text appears (never a fixed sleep as an assertion).
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";

export interface TmuxSession extends AsyncDisposable {
  /** Type `keys` and press Enter. */
  type(keys: string): void;
  /** The visible screen and scrollback, trailing blank lines dropped. */
  screen(): string;
  /** Poll the screen until `pattern` appears; fails with the screen when it does not within `timeoutMs`. */
  waitFor(pattern: RegExp | string, timeoutMs?: number): Promise<string>;
  kill(): void;
}

const BIN = "tmux";

/** Whether tmux is installed (CI installs it with scripts/ensure-docker.sh). */
export function hasTmux(): boolean {
  try {
    execFileSync(BIN, ["-V"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/**
 * Start `argv` in a new tmux server of its own (its own socket: never the person's tmux), in `cwd` with exactly
 * `env` added to a clean environment. The command's exit status is printed as `[exited N]` and the pane stays.
 */
export function startTmux(
  argv: string[],
  opts: { cwd: string; env: Record<string, string> },
): TmuxSession {
  const socket = `gantry-test-${randomBytes(4).toString("hex")}`;
  const quote = (a: string) => `'${a.replace(/'/g, `'\\''`)}'`;
  const envArgs = Object.entries(opts.env).map(([k, v]) => `${k}=${quote(v)}`);
  const line = `env -i ${envArgs.join(" ")} ${argv.map(quote).join(" ")}; echo "[exited $?]"; sleep 3600`;
  const tmux = (...args: string[]) =>
    execFileSync(BIN, ["-L", socket, ...args], { encoding: "utf8", cwd: opts.cwd });
  tmux("new-session", "-d", "-x", "160", "-y", "50", "-s", "t", line);
  const screen = () =>
    tmux("capture-pane", "-p", "-J", "-S", "-200", "-t", "t").replace(/\n+$/, "");
  const kill = () => {
    try {
      tmux("kill-server");
    } catch {
      // already gone
    }
  };
  return {
    type(keys) {
      // tmux reads an argument ending in ";" as the end of its command (even with -l): escape it as "\;"
      tmux("send-keys", "-t", "t", "-l", keys.endsWith(";") ? `${keys.slice(0, -1)}\\;` : keys);
      tmux("send-keys", "-t", "t", "Enter");
    },
    screen,
    async waitFor(pattern, timeoutMs = 90_000) {
      const test = (s: string) =>
        typeof pattern === "string" ? s.includes(pattern) : pattern.test(s);
      const until = Date.now() + timeoutMs;
      for (;;) {
        const s = screen();
        if (test(s)) return s;
        if (Date.now() > until)
          throw new Error(
            `tmux: ${String(pattern)} did not appear in ${timeoutMs} ms; the screen:\n${s}`,
          );
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    kill,
    [Symbol.asyncDispose]: async () => kill(),
  };
}
