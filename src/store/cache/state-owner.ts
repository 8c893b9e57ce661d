// Which state dir made an engine object: images and cache volumes carry the state dir's id, path and host, so that
// `cache prune|gc` can tell its own leftovers (no record names them any more) and a deleted state dir's orphans
// from what another state dir on the same engine still uses (docs/cache.md, "Orphans").
import { randomBytes } from "node:crypto";
import { mkdir, open, readFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

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

/** This state dir's id, made on first use (two processes racing agree on the one written first). */
export async function stateDirId(stateDir: string): Promise<string> {
  const file = idFile(stateDir);
  const known = await readId(file);
  if (known) return known;
  await mkdir(path.dirname(file), { recursive: true });
  try {
    const fh = await open(file, "wx", 0o644);
    const id = randomBytes(8).toString("hex");
    try {
      await fh.writeFile(id + "\n");
    } finally {
      await fh.close();
    }
    return id;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    for (let i = 0; i < 50; i++) {
      const id = await readId(file);
      if (id) return id;
      await new Promise((r) => setTimeout(r, 10)); // the winner is still writing it
    }
    throw new Error(`${file} exists but holds no state dir id`, { cause: err });
  }
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
