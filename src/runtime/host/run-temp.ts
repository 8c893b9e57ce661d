// Every exec gets a scratch directory; all of a run's live under one folder so close() (or the next run) removes them.
import { chmodSync, lstatSync, readdirSync } from "node:fs";
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
    const done: Promise<void> = removeTree(dir)
      .catch(() => undefined)
      .finally(() => this.removing.delete(done));
    this.removing.add(done);
  }

  /** Remove this run's folder; idempotent. */
  async close(): Promise<void> {
    await Promise.all(this.removing);
    this.ready = undefined;
    await removeTree(this.root);
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
    // another run's leftovers never stop this one; what cannot go now is tried again by the next run
    if (Number.isInteger(pid) && !processIsAlive(pid))
      await removeTree(dir, path.join(dir, "pid")).catch(() => undefined);
  }
}

/**
 * Remove a directory tree, also where an exec left directories without permissions (an overlay's work directory is
 * mode 000 until the kernel is done with it; a process may chmod 555 what it made), which only root could remove as
 * they are. `last`, if given, goes only after everything else (a run folder's pid file, so a failed removal is retried).
 */
export async function removeTree(dir: string, last?: string): Promise<void> {
  const removeAll = async (): Promise<void> => {
    if (last === undefined) return rm(dir, { recursive: true, force: true });
    for (const name of await readdir(dir).catch(() => [] as string[])) {
      const p = path.join(dir, name);
      if (p !== last) await rm(p, { recursive: true, force: true });
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await removeAll();
  } catch (e) {
    if (
      (e as NodeJS.ErrnoException).code !== "EACCES" &&
      (e as NodeJS.ErrnoException).code !== "EPERM"
    )
      throw e;
    openUp(dir);
    await removeAll();
  }
}

/** Give the owner full access to every directory below `dir` (sync: a rare path, after a failed removal). */
function openUp(dir: string): void {
  try {
    if (!lstatSync(dir).isDirectory()) return;
    chmodSync(dir, 0o700);
    for (const name of readdirSync(dir)) openUp(path.join(dir, name));
  } catch {
    // not ours or gone: the removal reports what is left
  }
}
