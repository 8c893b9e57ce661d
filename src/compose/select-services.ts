// Which services a command acts on, in the order they must start: the named ones (or every
// enabled one) plus everything they depend on, dependencies first.
import { ComposeError } from "../errors.js";
import type { ComposeProject, ComposeService } from "./compose-types.js";

type Graph = Record<string, Pick<ComposeService, "dependsOn">>;

/**
 * Orders `roots` and their transitive dependencies so each service comes after its dependencies.
 * `skip(dep)` leaves out an optional dependency; a cycle calls `onCycle` with its path.
 */
export function orderServices(
  graph: Graph,
  roots: readonly string[],
  onCycle: (cycle: string[]) => never,
  skip: (name: string, required: boolean) => boolean = () => false,
): string[] {
  const done = new Set<string>();
  const order: string[] = [];
  const stack: string[] = [];
  const visit = (name: string) => {
    if (done.has(name)) return;
    const loopAt = stack.indexOf(name);
    if (loopAt >= 0) onCycle([...stack.slice(loopAt), name]);
    stack.push(name);
    for (const [dep, { required }] of Object.entries(graph[name]?.dependsOn ?? {})) {
      if (graph[dep] && !skip(dep, required)) visit(dep);
    }
    stack.pop();
    done.add(name);
    order.push(name);
  };
  for (const root of roots) visit(root);
  return order;
}

/**
 * The services to run for `names` (every enabled service when empty), dependencies first.
 * A service disabled by its profiles is included when named, or when a service depends on it
 * with `required: true`; an optional (`required: false`) disabled dependency is left out.
 *
 * @example
 * selectServices(project, ["api"]).map((s) => s.name) // ["db", "api"]
 */
export function selectServices(
  project: ComposeProject,
  names: readonly string[],
): ComposeService[] {
  const all = { ...project.disabledServices, ...project.services };
  for (const name of names) findService(project, name);
  const roots = names.length > 0 ? names : Object.keys(project.services);
  const order = orderServices(
    all,
    roots,
    (cycle) => {
      throw new ComposeError(`services depend on each other in a cycle: ${cycle.join(" -> ")}`);
    },
    (dep, required) => !required && !project.services[dep],
  );
  return order.map((n) => all[n] as ComposeService);
}

/** The service called `name`, enabled or disabled by its profiles; else an error listing the services there are. */
export function findService(project: ComposeProject, name: string): ComposeService {
  const svc = project.services[name] ?? project.disabledServices[name];
  if (svc) return svc;
  const known = Object.keys({ ...project.disabledServices, ...project.services })
    .sort()
    .join(", ");
  throw new ComposeError(
    `no service "${name}" in compose project ${project.name} (services: ${known})`,
  );
}
