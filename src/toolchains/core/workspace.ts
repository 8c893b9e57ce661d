// The container every task starts from: the image, caches, trusted CAs, dependencies installed, then the source.
import { randomUUID } from "node:crypto";
import { dag, type Container, type Directory } from "../../sdk/index.js";
import { commandArgv } from "./command.js";
import { withSystemPackages } from "./system-packages.js";
import type { ToolchainPlan } from "./toolchain-plan.js";

/** Where extra CAs are mounted: outside /usr, which the host runtime keeps as the host's own read-only system. */
export const EXTRA_CA = "/run/gantry/extra-ca.crt";

/** The image with the plan's env, the package managers' cache volumes and the extra CAs: no source yet. */
export function baseContainer(plan: ToolchainPlan): Container {
  let c = dag.container().from(plan.image).withWorkdir(plan.workdir);
  for (const [k, v] of Object.entries(plan.env)) c = c.withEnvVariable(k, v);
  for (const cache of plan.caches)
    c = c.withMountedCache(cache.path, dag.cacheVolume(cache.volume));
  if (plan.caCerts) {
    // mounted, not copied: a proxy's CA stays out of every layer and exported image
    c = c.withMountedFile(EXTRA_CA, plan.caCerts).withEnvVariable("NODE_EXTRA_CA_CERTS", EXTRA_CA);
  }
  return c;
}

/** The project's source as tasks see it: without dependencies, build output, `.git` and the module. */
export function projectSource(plan: ToolchainPlan, source: Directory): Directory {
  return source.filter({ exclude: plan.exclude });
}

/**
 * The system packages, then dependencies installed from the files that decide them only (so editing a source file does not reinstall),
 * then the whole source, then the compile step. `fresh` forces the install to run again (`reset`).
 */
export function workspace(plan: ToolchainPlan, source: Directory, fresh = false): Container {
  let c = withSystemPackages(baseContainer(plan), plan.systemPackages);
  const src = projectSource(plan, source);
  if (plan.install) {
    if (fresh) c = c.withEnvVariable("GANTRY_FRESH_INSTALL", randomUUID());
    c = c
      .withDirectory(plan.workdir, src.filter({ include: plan.depsFiles }))
      .withExec(commandArgv(plan.install));
    if (fresh) c = c.withoutEnvVariable("GANTRY_FRESH_INSTALL");
  }
  c = c.withDirectory(plan.workdir, src);
  if (plan.compile) c = c.withExec(commandArgv(plan.compile));
  return c;
}

/** A value that makes an exec run every time (a database command must act on today's database, not a cache). */
export function uncached(c: Container): Container {
  return c.withEnvVariable("GANTRY_RUN_NONCE", randomUUID());
}
