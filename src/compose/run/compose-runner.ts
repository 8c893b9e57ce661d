// Running a compose project on Gantry's engine: dependencies first, by their conditions; jobs to completion.
import type { ComposeProject, ComposeService } from "../compose-types.js";
import { findService, selectServices } from "../select-services.js";
import {
  runToCompletion,
  startLongRunning,
  type StartedServiceInfo as StartedService,
} from "../../engine/api/index.js";
import { ComposeError } from "../../errors.js";
import { serviceNodeOf } from "./service-container.js";

export interface JobResult {
  exitCode: number;
  logs: string;
}

/** Starts services of one project in one run, each once, honouring depends_on conditions. */
export class ComposeRunner {
  private readonly started = new Map<string, Promise<StartedService>>();
  private readonly jobs = new Map<string, Promise<JobResult>>();

  /**
   * `publish`: host ports as the file says. `startedIsReady`: docker compose's own semantics for the `gantry compose`
   * commands — a service without a health check or ports is ready once started, even if it already exited (a
   * one-shot); a pipeline's ComposeStack leaves it off, so such a service's early exit fails the step.
   */
  constructor(
    private readonly project: ComposeProject,
    private readonly opts: { publish: boolean; startedIsReady?: boolean },
  ) {}

  private service(name: string): ComposeService {
    return findService(this.project, name);
  }

  /** Services whose dependents wait for them to complete: they run as jobs, not as long-running services. */
  private isJob(name: string): boolean {
    return Object.values(this.project.services).some(
      (s) => s.dependsOn[name]?.condition === "service_completed_successfully",
    );
  }

  /** Start the named services (all enabled ones when none are named) and what they depend on. */
  async up(names: string[]): Promise<{
    services: { name: string; svc: StartedService }[];
    jobs: { name: string; result: JobResult }[];
  }> {
    const order = selectServices(this.project, names);
    const services: { name: string; svc: StartedService }[] = [];
    const jobs: { name: string; result: JobResult }[] = [];
    await Promise.all(
      order.map(async (svc) => {
        if (this.isJob(svc.name)) jobs.push({ name: svc.name, result: await this.job(svc.name) });
        else services.push({ name: svc.name, svc: await this.start(svc.name) });
      }),
    );
    return { services, jobs };
  }

  /** `compose run`: start SERVICE's dependencies, run it to completion (with an optional command), return its result. */
  async run(name: string, command?: string[]): Promise<JobResult> {
    const svc = this.service(name);
    await this.dependencies(svc);
    const node = serviceNodeOf(this.project, svc, { publish: false, command });
    return runToCompletion(node);
  }

  private start(name: string): Promise<StartedService> {
    let p = this.started.get(name);
    if (!p) {
      p = (async () => {
        const svc = this.service(name);
        await this.dependencies(svc);
        return startLongRunning(serviceNodeOf(this.project, svc, { publish: this.opts.publish }), {
          startedIsReady: this.opts.startedIsReady === true,
        });
      })();
      this.started.set(name, p);
    }
    return p;
  }

  private job(name: string): Promise<JobResult> {
    let p = this.jobs.get(name);
    if (!p) {
      p = (async () => {
        const svc = this.service(name);
        await this.dependencies(svc);
        return runToCompletion(serviceNodeOf(this.project, svc, { publish: false }));
      })();
      this.jobs.set(name, p);
    }
    return p;
  }

  // Wait for each dependency as its condition says; a job that fails stops its dependents with its exit code.
  private async dependencies(svc: ComposeService): Promise<void> {
    await Promise.all(
      Object.entries(svc.dependsOn).map(async ([dep, { condition, required }]) => {
        if (!this.project.services[dep] && !this.project.disabledServices[dep]) {
          if (!required) return;
          throw new ComposeError(`service ${svc.name} depends on ${dep}, which is not defined`);
        }
        if (condition === "service_completed_successfully") {
          const r = await this.job(dep);
          if (r.exitCode !== 0)
            throw new ComposeError(
              `service ${svc.name} depends on ${dep} completing successfully, but ${dep} exited with code ${r.exitCode}\n--- last lines of ${dep} ---\n${lastLines(r.logs, 20)}`,
            );
          return;
        }
        if (condition === "service_healthy") {
          const hc = this.service(dep).healthcheck;
          if (!hc || "disabled" in hc)
            throw new ComposeError(
              `service ${svc.name} waits for ${dep} to be healthy, but ${dep} has no healthcheck`,
              { hint: `add a healthcheck to ${dep} or use condition: service_started` },
            );
        }
        await this.start(dep);
      }),
    );
  }
}

export function lastLines(text: string, n: number): string {
  return text.trimEnd().split("\n").slice(-n).join("\n");
}
