// Why an exec failed, beyond its exit code: what the ExecError and the step's event add for the person reading them.
import type { ExecNode } from "../nodes.js";

/** What a failed exit says beyond its code: the kernel's OOM kill, and bound services that died meanwhile. */
export interface FailureContext {
  oom?: { limit?: number };
  services?: string;
  /** Both in a line or two, for the step's event. */
  note?: string;
}

// Asked only when the exit fails the step: the OOM flag came with the outcome, the services are checked now.
export async function whyFailed(
  exec: ExecNode,
  outcome: { exitCode: number; oomKilled?: boolean },
  gone: (() => Promise<string | undefined>) | undefined,
): Promise<FailureContext> {
  const oom = outcome.oomKilled ? { limit: exec.memoryLimit } : undefined;
  const services = await gone?.().catch(() => undefined);
  const notes = [
    ...(oom ? [`killed by the kernel: out of memory (exit code ${outcome.exitCode})`] : []),
    ...(services ? [services] : []),
  ];
  return { oom, services, note: notes.length > 0 ? notes.join("\n") : undefined };
}
