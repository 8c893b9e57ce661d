// When a consumer's step fails, were its services still there? One that died during the step is usually the cause,
// and its own last log lines say why (the consumer only sees "connection refused").
import type { Session } from "../session.js";
import { serviceRuntimeOf, type StartedService } from "./service-manager.js";

/** How often, and how far apart, a failed consumer's services are checked (docker reports an exit a moment late). */
const CHECKS = 5;
const CHECK_EVERY_MS = 200;
const LOG_LINES = 20;

/**
 * For a consumer that failed: each bound service that is no longer running, with its exit code and last log
 * lines (scrubbed); undefined when all of them still run.
 */
export async function describeGoneServices(
  s: Session,
  started: readonly StartedService[],
): Promise<string | undefined> {
  if (started.length === 0) return undefined;
  const services = serviceRuntimeOf(s);
  for (let check = 1; ; check++) {
    const notes: string[] = [];
    for (const svc of started) {
      const st = await services.serviceState(svc.running.id).catch(() => undefined);
      if (!st || st.running) continue;
      const logs = await services.serviceLogs(svc.running.id, LOG_LINES).catch(() => "");
      const body = logs.trim()
        ? `\n--- last lines of service ${svc.label} ---\n${logs.trimEnd()}`
        : " (no output was logged)";
      notes.push(
        `service ${svc.label} exited with code ${st.exitCode ?? "?"} while the step ran${body}`,
      );
    }
    if (notes.length > 0) return s.scrub(notes.join("\n"));
    if (check >= CHECKS || s.signal.aborted) return undefined;
    await new Promise((r) => setTimeout(r, CHECK_EVERY_MS));
  }
}
