// Interactive shells: at a failed exec (`gantry call -i`) and at a point of a chain (`Container.terminal()`).
import type { ContainerState, ExecNode, TerminalPoint } from "../nodes.js";
import type { Session } from "../session.js";
import type { ExecSpec, Snapshot } from "../../runtime/runtime.js";
import { UsageError } from "../../errors.js";
import { planExec, withStartedBindings } from "./exec-plan.js";

/** What a shell runs when the pipeline named nothing (withDefaultTerminalCmd, terminal({cmd})). */
export const DEFAULT_TERMINAL_CMD: readonly string[] = ["sh"];

// The person's terminal, or an error saying how to get one.
function terminalHost(s: Session, what: string) {
  if (s.terminals) return s.terminals;
  throw new UsageError(
    `${what} needs an interactive terminal, and this run has none (stdin is not a terminal, or the run is not a gantry call)`,
    { hint: "run gantry call from a terminal (not with CI=true or a pipe on stdin)" },
  );
}

// One exec spec run on the person's terminal; its snapshot and output are dropped.
async function runOnTerminal(
  s: Session,
  spec: Omit<ExecSpec, "signal" | "onOutput" | "step" | "digest">,
  step: string,
  intro: string,
  what: string,
): Promise<number> {
  const host = terminalHost(s, what);
  return host.use(intro, async (io) => {
    const outcome = await s.runtime.exec({
      ...spec,
      stdin: undefined,
      redirectStdout: undefined,
      redirectStderr: undefined,
      step: `terminal at ${step}`,
      digest: "",
      signal: s.signal,
      terminal: io,
    });
    return outcome.exitCode;
  });
}

/**
 * `gantry call -i`: the failed exec's container as it was when the command stopped (its filesystem, env, mounts,
 * services), with a shell in place of the command.
 */
export async function shellAtFailure(
  s: Session,
  exec: ExecNode,
  spec: Omit<ExecSpec, "signal" | "onOutput" | "step" | "digest">,
  after: Snapshot,
  step: string,
  exitCode: number,
  output: { stdout: string; stderr: string } = { stdout: "", stderr: "" },
): Promise<void> {
  const cmd = exec.state.terminalCmd ?? DEFAULT_TERMINAL_CMD;
  const where = s.runtime.name === "host" ? "its directory on the host" : "its container";
  // what the command said last, before the shell takes the screen (a terminal's progress shows it only at the end)
  const said = lastLines(output.stderr.trim() ? output.stderr : output.stdout, FAILURE_TAIL);
  const intro =
    `\n${step} failed with exit code ${exitCode}` +
    (said ? `; its last lines:\n${said}\n` : ": ") +
    `${said ? "Opening" : "opening"} ${cmd.join(" ")} in ${where} ` +
    `(workdir ${spec.workdir || "/"}); exit the shell to continue\n`;
  await runOnTerminal(
    s,
    { ...spec, base: after, ops: [], args: [...cmd] },
    step,
    intro,
    "gantry call --interactive",
  );
}

/** How many of a failed command's last lines `gantry call -i` shows before its shell. */
const FAILURE_TAIL = 20;

// The last `n` lines of `text`, each indented as the failure's output is elsewhere; "" for none.
function lastLines(text: string, n: number): string {
  const lines = text.replace(/\n+$/, "").split("\n");
  if (text.trim() === "") return "";
  return lines
    .slice(-n)
    .map((l) => `  │ ${l}`)
    .join("\n");
}

/** `Container.terminal()`: a shell at each point of the chain marked so, once per run, before what follows runs. */
export async function openTerminals(
  s: Session,
  points: readonly TerminalPoint[] | undefined,
): Promise<void> {
  for (const p of points ?? []) {
    let opened = s.memo.get(p) as Promise<unknown> | undefined;
    if (!opened) {
      opened = openAt(s, p);
      s.memo.set(p, opened);
    }
    await opened;
  }
}

// The point's container with the shell as its command: planned like an exec (mounts, secrets, services), never run.
async function openAt(s: Session, p: TerminalPoint): Promise<void> {
  const state: ContainerState = p.at;
  const cmd = p.cmd ?? state.terminalCmd ?? DEFAULT_TERMINAL_CMD;
  const node: ExecNode = { state, args: [...cmd], expect: "ANY", useEntrypoint: false };
  const plan = await planExec(s, node);
  const spec = await withStartedBindings(s, node, plan);
  const intro = `\nterminal(): opening ${cmd.join(" ")} (workdir ${spec.workdir || "/"}); exit the shell to continue the pipeline\n`;
  await runOnTerminal(
    s,
    spec,
    "Container.terminal()",
    intro,
    `Container.terminal() (${cmd.join(" ")})`,
  );
}
