// Picks the progress view: a live tree on a terminal, plain lines in CI or pipes, JSON when asked, GitHub's syntax in Actions.
import type { GantryEnv } from "../../env.js";
import type { GlobalOptions, ProgressMode } from "../global-flags.js";
import type { DetailOptions } from "./format-step.js";
import { HeldSink } from "./held-sink.js";
import { JsonRenderer } from "./json-renderer.js";
import { PlainRenderer } from "./plain-renderer.js";
import type { ProgressRenderer, TextSink } from "./progress-renderer.js";
import { TtyRenderer } from "./tty-renderer.js";

/** `auto` means tty on an interactive terminal outside CI (and not TERM=dumb), plain otherwise. */
export function resolveProgressMode(
  mode: ProgressMode,
  err: TextSink,
  env: GantryEnv,
): Exclude<ProgressMode, "auto"> {
  if (mode !== "auto") return mode;
  return err.isTTY && !env.ci && env.term !== "dumb" ? "tty" : "plain";
}

/**
 * Colour as people expect it (no-color.org, force-color.org): `--no-color` or a non-empty NO_COLOR turn it off
 * whatever else is set; FORCE_COLOR turns it on for pipes and CI logs (GitHub shows ANSI colours); otherwise
 * colour on a terminal that is not TERM=dumb.
 */
export function useColor(err: TextSink, env: GantryEnv, noColorFlag = false): boolean {
  if (noColorFlag || env.noColor) return false;
  if (env.forceColor) return true;
  return !!err.isTTY && env.term !== "dumb";
}

/** What the global flags ask to see beyond the default. */
export function detailOf(g: Pick<GlobalOptions, "verbose" | "debug" | "explain">): DetailOptions {
  return { verbose: g.verbose || g.debug, debug: g.debug, explain: g.explain };
}

/** The renderer for a mode, writing to `err` (stderr: stdout is for results). */
export function createRenderer(
  mode: ProgressMode,
  err: TextSink,
  env: GantryEnv,
  opts: { noColor?: boolean; detail?: DetailOptions } = {},
): ProgressRenderer {
  const resolved = resolveProgressMode(mode, err, env);
  const color = useColor(err, env, opts.noColor);
  const detail = opts.detail ?? {};
  if (resolved === "tty") return new TtyRenderer(err, color, { detail });
  // lines and JSON written while a shell owns the terminal come out after it exits
  const held = new HeldSink(err);
  const r = resolved === "json" ? new JsonRenderer(held) : new PlainRenderer(held, color, detail);
  return Object.assign(r, { pause: () => held.hold(), resume: () => held.release() });
}
