// The engine's leaf for Secret.plaintext: the value a person asked for is still masked in every log of the run.
import { requireSession } from "../session.js";

/** Mask `value` in the current run's output from now on. */
export function maskSecret(value: string): void {
  requireSession("Secret.plaintext").scrubber.add(value);
}
