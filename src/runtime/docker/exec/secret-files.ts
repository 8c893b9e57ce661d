// A mounted secret reaches the container as a bind-mounted host file that lives only for one exec.
import { chmod, chown, copyFile, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { entriesOfDeadProcesses } from "../../../process-alive.js";

/** A private (0700) directory for one exec's secret files; remove() deletes it and them. */
export interface SecretDir {
  readonly path: string;
  write(value: string, mode: number, uid?: number, gid?: number): Promise<string>;
  /** A private copy of a host file (a mounted file's blob), so the container cannot touch the store. */
  copy(source: string, mode: number, owner?: { uid: number; gid: number }): Promise<string>;
  remove(): Promise<void>;
}

const PREFIX = "gantry-secret-";

// mkdtemp makes the directory 0700, so no other user of the machine can read what goes in; the name holds our pid for the reaper.
export async function createSecretDir(tmpDir = os.tmpdir()): Promise<SecretDir> {
  const dir = await mkdtemp(path.join(tmpDir, `${PREFIX}${process.pid}-`));
  let count = 0;
  return {
    path: dir,
    // Written 0600 first so the value is never readable by others, then given its requested mode and owner.
    async write(value, mode, uid = 0, gid = 0) {
      const file = path.join(dir, `secret-${++count}`);
      await writeFile(file, value, { mode: 0o600, flag: "wx" });
      await chmod(file, mode);
      // Only root may give a file away; otherwise the container sees the caller's uid (root in it can still read it).
      if (process.getuid?.() === 0) await chown(file, uid, gid);
      return file;
    },
    // The copy is made then given its mode (and owner, which the caller checked root may give); never a link to the
    // store's blob, which must stay intact.
    async copy(source, mode, owner) {
      const file = path.join(dir, `file-${++count}`);
      await copyFile(source, file);
      await chmod(file, mode);
      if (owner && process.getuid?.() === 0) await chown(file, owner.uid, owner.gid);
      return file;
    },
    async remove() {
      await rm(dir, { recursive: true, force: true });
    },
  };
}

// A killed run cannot delete its secret files; the next run removes those whose process is gone.
export async function reapSecretDirs(
  isAlive: (pid: number) => boolean,
  tmpDir = os.tmpdir(),
): Promise<number> {
  const dead = await entriesOfDeadProcesses(tmpDir, PREFIX, isAlive);
  for (const dir of dead) await rm(dir, { recursive: true, force: true });
  return dead.length;
}
