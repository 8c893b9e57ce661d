// The seam through which service bindings enter an exec; the services piece registers the real resolver.
import type { ContainerState } from "../nodes.js";
import type { Session } from "../session.js";
import type { ServiceBindingSpec } from "../../runtime/runtime.js";
import { UnsupportedError } from "../../errors.js";

export interface ResolvedBindings {
  specs: ServiceBindingSpec[];
  digests: [string, string][];
  network?: string;
}

export type BindingResolver = (s: Session, state: ContainerState) => Promise<ResolvedBindings>;

let resolver: BindingResolver | undefined;

/** Installed once by the services module at load. */
export function setBindingResolver(r: BindingResolver): void {
  resolver = r;
}

/** Start the services a state binds (shared by digest within the run) and say how the exec reaches them. */
export async function resolveServiceBindings(
  s: Session,
  state: ContainerState,
): Promise<ResolvedBindings> {
  if (state.services.length === 0) return { specs: [], digests: [] };
  if (!resolver)
    throw new UnsupportedError("service bindings are not available in this build of Gantry");
  return resolver(s, state);
}
