// A malformed ignore pattern silently ignores nothing: say so in the run's output, as docker does, and go on.
import { patternWarnings } from "../../store/ignore-rules.js";
import type { Session } from "../session.js";

/** Emit a warning event for each malformed include/exclude pattern given to `where` (e.g. `host directory ./src`). */
export function warnMalformedPatterns(
  s: Session,
  filter: { readonly include?: readonly string[]; readonly exclude?: readonly string[] },
  where: string,
): void {
  const messages = [
    ...patternWarnings(filter.include ?? [], `${where}, include`),
    ...patternWarnings(filter.exclude ?? [], `${where}, exclude`),
  ];
  emitWarnings(s, messages);
}

/** Put warnings a lower layer returned into the run's events (the progress output and the run record). */
export function emitWarnings(s: Session, messages: readonly string[]): void {
  for (const message of messages) s.events.emit({ type: "warning", message, time: Date.now() });
}
