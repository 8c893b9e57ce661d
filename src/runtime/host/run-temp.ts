// Every exec gets a scratch directory; all of a run's live under one folder so close() (or the next run) removes them.
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { processIsAlive } from "../../process-alive.js";

/** The folder `<stateDir>/host-runs/<runId>` and the exec directories inside it. */
export class RunTemp {
  readonly root: string;
  private ready: Promise<void> | undefined;
  private readonly removing = new Set<Promise<void>>();

  /** Nothing is created until the first exec asks for a directory. */
  constructor(stateDir: string, runId: string) {
    this.root = path.join(stateDir, "host-runs", runId.replace(/[^A-Za-z0-9._-]/g, "_"));
  }

  /** A fresh directory for one exec (or one mount); the caller removes it, close() catches what it missed. */
  async newDir(prefix: string): Promise<string> {
    this.ready ??= this.init();
    await this.ready;
    return mkdtemp(path.join(this.root, prefix + "-"));
  }

  /** Remove a directory off the critical path (an exec's result does not wait for its scratch to go); close() waits. */
  removeLater(dir: string): void {
    const done: Promise<void> = rm(dir, { recursive: true, force: true })
      .catch(() => undefined)
      .finally(() => this.removing.delete(done));
    this.removing.add(done);
  }

  /** Remove this run's folder; idempotent. */
  async close(): Promise<void> {
    await Promise.all(this.removing);
    this.ready = undefined;
    await rm(this.root, { recursive: true, force: true });
  }

  /** Create the run folder, marked with our pid, after removing folders of runs whose process is gone. */
  private async init(): Promise<void> {
    await reapStaleRuns(path.dirname(this.root), this.root);
    await mkdir(this.root, { recursive: true });
    await writeFile(path.join(this.root, "pid"), String(process.pid));
  }
}

/** A run that was killed never reached close(); its folder names its pid, so the next run can tell. */
async function reapStaleRuns(runsDir: string, keep: string): Promise<void> {
  const names = await readdir(runsDir).catch(() => [] as string[]);
  for (const name of names) {
    const dir = path.join(runsDir, name);
    if (dir === keep) continue;
    const pid = Number.parseInt(await readFile(path.join(dir, "pid"), "utf8").catch(() => ""), 10);
    if (Number.isInteger(pid) && !processIsAlive(pid))
      await rm(dir, { recursive: true, force: true });
  }
}
