// Compose projects from a pipeline: build, smoke-run, start and run a docker-compose file's services as Gantry objects.
import path from "node:path";
import type { ComposeProject } from "./compose-types.js";
import { serviceContainer, serviceOf } from "./run/service-container.js";
import { ComposeRunner, type JobResult } from "./run/compose-runner.js";
import { findService } from "./select-services.js";
import { requireSession } from "../engine/api/index.js";
import { UsageError } from "../errors.js";
import { Directory, type Container, type Service } from "../sdk/index.js";

export interface ComposeProjectOpts {
  /** Compose files inside the directory, in order (default: docker-compose.yml / compose.yaml discovery). */
  files?: string[];
  profiles?: string[];
  projectName?: string;
  /** Variables for interpolation; the calling process's environment is not read unless passed here. */
  env?: Record<string, string | undefined>;
}

/**
 * A docker-compose project as Gantry objects.
 *
 * @example
 * const stack = await composeProject(source, { profiles: ["test"] })
 * await Promise.all(stack.names().map((n) => stack.container(n).withExec(["echo", "ok"]).sync()))
 * const result = await stack.run("validator")
 */
export class ComposeStack {
  private runner?: ComposeRunner;
  constructor(
    readonly project: ComposeProject,
    readonly warnings: string[],
  ) {}

  /** Names of the enabled services, and of profile-disabled ones too when `all` is set. */
  names(all = false): string[] {
    return Object.keys(
      all ? { ...this.project.services, ...this.project.disabledServices } : this.project.services,
    ).sort();
  }

  private svc(name: string) {
    return findService(this.project, name);
  }

  /** The service's container (its image, or its build), not started: smoke-run it with withExec. */
  container(name: string): Container {
    return serviceContainer(this.project, this.svc(name));
  }

  /** The service, reachable by its compose name from containers of the run; bind it with withServiceBinding. */
  service(name: string): Service {
    return serviceOf(this.project, this.svc(name), { publish: false });
  }

  private runnerOf(): ComposeRunner {
    return (this.runner ??= new ComposeRunner(this.project, { publish: false }));
  }

  /** Start services (all enabled ones by default) and their dependencies, by their depends_on conditions. */
  async up(names: string[] = []): Promise<void> {
    await this.runnerOf().up(names);
  }

  /** Like `docker-compose run SERVICE`: start its dependencies, run it to completion; its exit code and output. */
  async run(name: string, opts: { command?: string[] } = {}): Promise<JobResult> {
    return this.runnerOf().run(name, opts.command);
  }
}

/** Load a compose project from a host directory (e.g. a module's `@argument({defaultPath: "."})` source). */
export async function composeProject(
  dir: Directory,
  opts: ComposeProjectOpts = {},
): Promise<ComposeStack> {
  if (!(dir instanceof Directory) || dir._node.op !== "host")
    throw new UsageError(
      "composeProject needs a host directory (dag.host().directory(path) or a Directory argument)",
      {
        hint: "compose files refer to host paths (build contexts, bind mounts, env files)",
      },
    );
  const s = requireSession("composeProject");
  const root = path.resolve(s.cwd, dir._node.path);
  // Loaded on use: the YAML parser is a sizeable part of start-up, and most pipelines read no compose file.
  const { loadComposeProject } = await import("./load-compose.js");
  const { project, warnings } = await loadComposeProject({
    files: (opts.files ?? []).map((f) => path.resolve(root, f)),
    projectDir: root,
    projectName: opts.projectName,
    profiles: opts.profiles,
    env: opts.env ?? {},
    cwd: root,
  });
  for (const w of warnings) s.events.emit({ type: "warning", message: w, time: Date.now() });
  return new ComposeStack(project, warnings);
}
