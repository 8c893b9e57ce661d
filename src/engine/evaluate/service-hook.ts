// The seam through which service bindings enter an exec; the services piece registers the real hooks.
// Two phases: a binding's digest is known without starting anything (so a cached consumer starts no service),
// and the services start only when the consumer really runs.
import type { ContainerState } from "../nodes.js";
import type { Session } from "../session.js";
import type { ServiceBindingSpec } from "../../runtime/runtime.js";
import { UnsupportedError } from "../../errors.js";

export interface StartedBindings {
  specs: ServiceBindingSpec[];
  network?: string;
}

export interface BindingHooks {
  /** `[alias, service digest]` sorted by alias: the bindings' part of a consumer's cache key. */
  digests(s: Session, state: ContainerState): Promise<[string, string][]>;
  /** Start every bound service (shared by digest within the run) and say how the consumer reaches them. */
  start(s: Session, state: ContainerState): Promise<StartedBindings>;
}

let hooks: BindingHooks | undefined;

/** Installed once by the services module at load. */
export function setBindingHooks(h: BindingHooks): void {
  hooks = h;
}

function required(): BindingHooks {
  if (!hooks)
    throw new UnsupportedError("service bindings are not available in this build of Gantry");
  return hooks;
}

export async function serviceBindingDigests(
  s: Session,
  state: ContainerState,
): Promise<[string, string][]> {
  if (state.services.length === 0) return [];
  return required().digests(s, state);
}

export async function startServiceBindings(
  s: Session,
  state: ContainerState,
): Promise<StartedBindings> {
  if (state.services.length === 0) return { specs: [] };
  return required().start(s, state);
}
