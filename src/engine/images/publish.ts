// Container.publish: the container's filesystem and config pushed to a registry as one visible step.
import type { ContainerState } from "../nodes.js";
import type { Session } from "../session.js";
import { digestOf } from "../../store/digest.js";
import { ImageError, isGantryError } from "../../errors.js";
import { containerSnapshot, resolveConfig } from "../evaluate/container.js";
import { stopIfDryRun, timedStep } from "../evaluate/steps.js";
import { parsePublishRef } from "./image-ref.js";
import { requireImageRuntime } from "./image-runtime.js";
import { registryAuthFor } from "./registry-auth.js";

// Push once per (content, config, ref) in a run; every call pushes again across runs, as `docker push` would.
export async function publishContainer(
  s: Session,
  state: ContainerState,
  address: string,
): Promise<string> {
  const images = requireImageRuntime(s, "image pushes (Container.publish)");
  const { registry, ref } = parsePublishRef(address);
  const [snapshot, config, auth] = await Promise.all([
    containerSnapshot(s, state),
    resolveConfig(s, state),
    registryAuthFor(s, state, registry),
  ]);
  stopIfDryRun(s, { name: `publish ${ref}`, kind: "publish" });
  const key = digestOf({ publish: ref, snapshot, config, user: auth?.username });
  return s.flights.run(`publish:${key}`, () =>
    timedStep(s, { name: `publish ${ref}`, kind: "publish" }, () =>
      images.publish(snapshot, config, ref, auth, s.signal).catch((e: unknown) => {
        throw scrubbed(s, e);
      }),
    ),
  ) as Promise<string>;
}

// A registry may echo what it was sent; an error that would carry a secret is rebuilt without it (and its cause).
function scrubbed(s: Session, e: unknown): unknown {
  if (!(e instanceof Error) || s.scrub(e.message) === e.message) return e;
  return new ImageError(s.scrub(e.message), { hint: isGantryError(e) ? e.hint : undefined });
}
