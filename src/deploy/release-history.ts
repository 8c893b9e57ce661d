// An app's releases, kept in Gantry's state dir (per project, per target and engine), so the history survives the CLI
// and an engine restart; written whole and atomically at each transition, under a lock that keeps two deploys of
// one app from interleaving on this machine.
import fs from "node:fs";
import path from "node:path";
import { ensureProjectDir } from "../store/project-state-dir.js";
import { processIsAlive } from "../process-alive.js";
import { DeployError } from "../errors.js";
import type { HealthSettings } from "./deploy-options.js";

export type ReleaseState =
  /** Being deployed now (or the deploy was interrupted: the next deploy marks it failed). */
  | "deploying"
  | "live"
  /** Served once, replaced by a newer deploy: a rollback target. */
  | "superseded"
  | "failed-health"
  /** Failed before its health check: the release command, the container start, an interruption. */
  | "failed"
  /** Served, then replaced by a rollback to an older release. */
  | "rolled-back";

export interface Release {
  id: string;
  /** The image on the target: `gantry-deploy/<app>:<id>` (docker) or the pushed `ref@sha256:…` (fly). */
  image: string;
  /** The image's content id (docker) or manifest digest (fly). */
  imageDigest: string;
  /** The source directory's digest the image was built from, when built from a directory. */
  sourceDigest?: string;
  createdAt: string;
  state: ReleaseState;
  /** When it last started serving. */
  liveSince?: string;
  /** Why it failed or was rolled back. */
  reason?: string;
  /** The port the app listens on inside its container (docker). */
  appPort?: number;
}

export interface AppHistory {
  app: string;
  target: string;
  /** Oldest first. */
  releases: Release[];
  /** The health checks of the last deploy that went live: a rollback without its own runs the same ones. */
  health?: { checks: string[]; timeout: number; retries?: number; body?: string };
}

/** The history file of one app on one target; `lock()` before changing it. */
export class ReleaseHistory {
  readonly file: string;

  constructor(stateDir: string, projectDir: string, target: string, app: string) {
    const dir = path.join(
      ensureProjectDir(stateDir, projectDir, "deploy"),
      target.replace(/[^A-Za-z0-9._-]/g, "_"),
    );
    fs.mkdirSync(dir, { recursive: true });
    this.file = path.join(dir, `${app}.json`);
  }

  // A missing file is an app never deployed from here; a broken one is an error naming it (never silently reset).
  read(app: string, target: string): AppHistory {
    let text: string;
    try {
      text = fs.readFileSync(this.file, "utf8");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return { app, target, releases: [] };
      throw e;
    }
    try {
      const h = JSON.parse(text) as AppHistory;
      if (!Array.isArray(h.releases)) throw new Error("no releases array");
      return h;
    } catch (e) {
      throw new DeployError(
        `the release history ${this.file} is not readable: ${(e as Error).message}`,
        {
          cause: e,
          hint: "restore it from a backup, or move it away to start a new history",
        },
      );
    }
  }

  // Write to a temp file and rename: a reader never sees half a history.
  write(h: AppHistory): void {
    const tmp = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(h, null, 2) + "\n");
    fs.renameSync(tmp, this.file);
  }

  /** Take the app's lock (a file holding our pid); a lock whose process is gone is taken over. */
  lock(): () => void {
    const lockFile = `${this.file}.lock`;
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        fs.writeFileSync(lockFile, String(process.pid), { flag: "wx" });
        return () => fs.rmSync(lockFile, { force: true });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
        const pid = Number(fs.readFileSync(lockFile, "utf8").trim());
        if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && processIsAlive(pid))
          throw new DeployError(`another deploy of this app is running (process ${pid})`, {
            hint: `wait for it to finish; if no such process exists, remove ${lockFile}`,
          });
        fs.rmSync(lockFile, { force: true });
      }
    }
    throw new DeployError(`could not take the deploy lock ${lockFile}`);
  }
}

/** The next release id: r1, r2, … (never reused, even for failed releases). */
export function nextReleaseId(h: AppHistory): string {
  const max = h.releases.reduce((m, r) => Math.max(m, Number(/^r(\d+)$/.exec(r.id)?.[1] ?? 0)), 0);
  return `r${max + 1}`;
}

/** The release serving now, if any. */
export function liveRelease(h: AppHistory): Release | undefined {
  return h.releases.find((r) => r.state === "live");
}

/** Where `rollback` goes without --to: the newest release that served and was replaced by a newer deploy. */
export function previousGood(h: AppHistory): Release | undefined {
  const live = liveRelease(h);
  return [...h.releases].reverse().find((r) => r.state === "superseded" && r.id !== live?.id);
}

/** A release by id; `3` means `r3`. */
export function findRelease(h: AppHistory, id: string): Release | undefined {
  const want = /^\d+$/.test(id) ? `r${id}` : id;
  return h.releases.find((r) => r.id === want);
}

/**
 * Keep a deploy's health checks for later rollbacks — called once its release is live: a deploy that failed its
 * checks (a wrong path, a typo'd URL) must not become what a rollback without `--health` is judged by.
 */
export function rememberHealth(h: AppHistory, s: HealthSettings): void {
  h.health = {
    checks: [...s.paths, ...s.urls],
    timeout: s.timeoutMs,
    retries: s.retries,
    body: s.bodyMatch,
  };
}

/** The health checks of the last deploy that went live, as settings; undefined when none is known. */
export function savedHealth(h: AppHistory): HealthSettings | undefined {
  const s = h.health;
  if (!s) return undefined;
  return {
    paths: s.checks.filter((c) => c.startsWith("/")),
    urls: s.checks.filter((c) => !c.startsWith("/")),
    timeoutMs: s.timeout,
    retries: s.retries,
    bodyMatch: s.body,
  };
}
