// One compose service as Gantry objects: a Container built from its definition and the Service it runs as.
import fs from "node:fs";
import path from "node:path";
import type { ComposeProject, ComposeService } from "../compose-types.js";
import { dag, Service, type Container } from "../../sdk/index.js";
import { ComposeError, UsageError } from "../../errors.js";
import { isHostService, type ServiceNode } from "../../engine/api/index.js";

/** The container a compose service describes (image or build, env, workdir, user, entrypoint, command, mounts, health). */
export function serviceContainer(
  project: ComposeProject,
  svc: ComposeService,
  commandOverride?: string[],
): Container {
  let c: Container;
  if (svc.build) {
    requireBuildContext(project, svc, svc.build.context);
    const ctx = dag.host().directory(svc.build.context);
    c = ctx.dockerBuild({
      dockerfile: svc.build.dockerfile,
      buildArgs: Object.entries(svc.build.args).map(([name, value]) => ({ name, value })),
      target: svc.build.target,
    });
  } else if (svc.image) {
    c = dag.container().from(svc.image);
  } else {
    throw new UsageError(`compose service ${svc.name} has neither image nor build`);
  }
  for (const [k, v] of Object.entries(svc.environment)) c = c.withEnvVariable(k, v);
  if (svc.workingDir) c = c.withWorkdir(svc.workingDir);
  if (svc.user) c = c.withUser(svc.user);
  if (svc.entrypoint) c = c.withEntrypoint(svc.entrypoint);
  const command = commandOverride ?? svc.command;
  if (command) c = c.withDefaultArgs(command);
  for (const m of svc.volumes) {
    if (m.type === "tmpfs") c = c.withMountedTemp(m.target);
    else if (m.type === "volume") {
      const key = m.source ?? `anon-${svc.name}-${m.target.replace(/[^A-Za-z0-9]/g, "_")}`;
      const name =
        (m.source ? project.volumes[m.source]?.name : undefined) ?? `${project.name}_${key}`;
      c = c.withMountedCache(m.target, dag.cacheVolume(name.replace(/[^A-Za-z0-9_.-]/g, "_")));
    } else {
      // A bind mount is sent as a copy (it works against a remote engine too); changes inside do not come back.
      c = c.withMountedDirectory(
        m.target,
        dag.host().directory(path.resolve(project.dir, m.source)),
      );
    }
  }
  const hc = svc.healthcheck;
  if (hc && !("disabled" in hc) && hc.test.length > 0) {
    const [kind, ...rest] = hc.test;
    const opts = {
      interval: `${hc.intervalMs}ms`,
      timeout: `${hc.timeoutMs}ms`,
      startPeriod: `${hc.startPeriodMs}ms`,
      retries: hc.retries,
    };
    c =
      kind === "CMD-SHELL"
        ? c.withDockerHealthcheck([rest.join(" ")], { ...opts, shell: true })
        : c.withDockerHealthcheck(rest, opts);
  }
  // compose waits for no port: a service is "started" when its container runs (or healthy when it has a health check)
  const ports = new Set([...svc.expose, ...svc.ports.map((p) => p.target)]);
  for (const p of ports) c = c.withExposedPort(p, { experimentalSkipHealthcheck: true });
  return c;
}

// Checked here, where the project is known: a relative context starts at the project folder, not the current directory.
function requireBuildContext(project: ComposeProject, svc: ComposeService, context: string): void {
  if (fs.statSync(context, { throwIfNoEntry: false })?.isDirectory()) return;
  throw new ComposeError(
    `service ${svc.name}: build context ${context} is not a directory (or does not exist)`,
    {
      hint: `a relative build.context starts at the project folder ${project.dir} (--project-directory, else the first compose file's folder): fix the path`,
    },
  );
}

/** The service as run on the project network: reachable by its name and its aliases from every container there. */
export function serviceOf(
  project: ComposeProject,
  svc: ComposeService,
  opts: { publish: boolean; command?: string[] },
): Service {
  return new Service(serviceNodeOf(project, svc, opts));
}

export function serviceNodeOf(
  project: ComposeProject,
  svc: ComposeService,
  opts: { publish: boolean; command?: string[] },
): ServiceNode {
  const base = serviceContainer(project, svc, opts.command).asService({ useEntrypoint: true });
  if (isHostService(base._node)) throw new Error("unreachable: asService() made a host service");
  const aliases = [svc.name, ...Object.values(svc.networks).flatMap((n) => n.aliases)];
  const publish = opts.publish
    ? svc.ports
        .filter((p) => p.published !== undefined)
        .map((p) => ({
          backend: p.target,
          frontend: p.published,
          protocol: p.protocol,
          hostIp: p.hostIp,
        }))
    : [];
  return {
    ...base._node,
    aliases: [...new Set(aliases)],
    publish: publish.length ? publish : undefined,
    labels: { ...svc.labels, ...composeLabels(project, svc.name) },
  };
}

/** Which compose project (by name and directory) and service a container belongs to: `compose down` finds them so. */
export const COMPOSE_LABELS = {
  project: "gantry.compose.project",
  dir: "gantry.compose.dir",
  service: "gantry.compose.service",
} as const;

export function composeLabels(project: ComposeProject, service?: string): Record<string, string> {
  return {
    [COMPOSE_LABELS.project]: project.name,
    [COMPOSE_LABELS.dir]: project.dir,
    ...(service ? { [COMPOSE_LABELS.service]: service } : {}),
  };
}
