// Builds, imports and publishing exist only where the runtime has an ImageRuntime; everywhere else say so once, clearly.
import type { Session } from "../session.js";
import type { ImageRuntime } from "../../runtime/runtime.js";
import { UnsupportedError } from "../../errors.js";

// The run's ImageRuntime, or an error naming what was asked for and the runtime that can do it.
export function requireImageRuntime(s: Session, what: string): ImageRuntime {
  const images = s.runtime.images;
  if (images) return images;
  throw new UnsupportedError(`${what} need the docker runtime: run with --runtime=docker`, {
    hint: `the ${s.runtime.name} runtime runs processes, it has no image store to build into, load into or push from`,
  });
}
