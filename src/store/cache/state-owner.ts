// Which state dir made an engine object: images and cache volumes carry the state dir's id, path and host, so that
// `cache prune|gc` can tell its own leftovers (no record names them any more) and a deleted state dir's orphans
// from what another state dir on the same engine still uses (docs/cache.md, "Orphans").
import { randomBytes } from "node:crypto";
import { link, mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { stateDirWrite } from "../state-dir-write.js";

/** A state dir as its engine objects' labels name it. */
export interface StateOwner {
  /** Random, made once per state dir (`cache/state-id`): a deleted and remade dir is a new owner. */
  id: string;
  /** Its absolute path on `host`. */
  dir: string;
  /** The machine it is on (os.hostname()): only there can the path be looked at. */
  host: string;
}

// `<stateDir>/cache/state-id`.
function idFile(stateDir: string): string {
  return path.join(stateDir, "cache", "state-id");
}

/**
 * This state dir's id, made on first use. Written whole beside the file and linked into place, so a full disk never
 * leaves an empty id file behind (which would stop every later run), and two processes racing agree on the one
 * linked first.
 */
export async function stateDirId(stateDir: string): Promise<string> {
  const file = idFile(stateDir);
  const known = await readId(file);
  if (known) return known;
  const id = randomBytes(8).toString("hex");
  const tmp = `${file}.${process.pid}.${id}.tmp`;
  return stateDirWrite(
    stateDir,
    "the state dir's id",
    async () => {
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(tmp, id + "\n", { mode: 0o644, flag: "wx" });
      try {
        await link(tmp, file);
        return id;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
        const theirs = await readId(file);
        if (theirs) return theirs;
        // a file from before ids were written whole, empty or torn: ours replaces it
        await rename(tmp, file);
        return (await readId(file)) ?? id;
      } finally {
        await rm(tmp, { force: true });
      }
    },
    tmp,
  );
}

/** This state dir as an owner, for the labels of what its runs make. */
export async function stateOwner(stateDir: string): Promise<StateOwner> {
  return { id: await stateDirId(stateDir), dir: path.resolve(stateDir), host: os.hostname() };
}

/**
 * Whether an owner is gone: on this machine, its path no longer holds a state dir with its id (deleted, or deleted and
 * made anew). An owner on another machine cannot be looked at and is never gone from here.
 */
export async function ownerGone(owner: StateOwner, hostname = os.hostname()): Promise<boolean> {
  if (owner.host !== hostname || !path.isAbsolute(owner.dir)) return false;
  return (await readId(idFile(owner.dir))) !== owner.id;
}

// The id in a state-id file, or undefined when there is none (yet).
async function readId(file: string): Promise<string | undefined> {
  const text = await readFile(file, "utf8").catch(() => "");
  const id = text.trim();
  return /^[0-9a-f]{16}$/.test(id) ? id : undefined;
}
