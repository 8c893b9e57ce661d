// Picks the progress view: a live tree on a terminal, plain lines in CI or pipes, JSON when asked.
import type { GantryEnv } from "../../env.js";
import type { ProgressMode } from "../global-flags.js";
import { JsonRenderer } from "./json-renderer.js";
import { PlainRenderer } from "./plain-renderer.js";
import type { ProgressRenderer, TextSink } from "./progress-renderer.js";
import { TtyRenderer } from "./tty-renderer.js";

/** `auto` means tty on an interactive terminal outside CI, plain otherwise. */
export function resolveProgressMode(
  mode: ProgressMode,
  err: TextSink,
  env: GantryEnv,
): Exclude<ProgressMode, "auto"> {
  if (mode !== "auto") return mode;
  return err.isTTY && !env.ci ? "tty" : "plain";
}

/** The renderer for a mode, writing to `err` (stderr: stdout is for results). */
export function createRenderer(
  mode: ProgressMode,
  err: TextSink,
  env: GantryEnv,
): ProgressRenderer {
  const resolved = resolveProgressMode(mode, err, env);
  const color = !env.noColor && !!err.isTTY;
  if (resolved === "json") return new JsonRenderer(err);
  if (resolved === "tty") return new TtyRenderer(err, color);
  return new PlainRenderer(err, color);
}
