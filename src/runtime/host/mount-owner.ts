// `owner` on a directory, file or cache mount, on the host: root gives the files away; anyone else can only keep them.
import { readFile, readdir, lchown } from "node:fs/promises";
import path from "node:path";
import { NotFoundError, UnsupportedError } from "../../errors.js";
import type { MountSpec } from "../runtime.js";
import { idInDatabase, numericId, splitOwner } from "../owner-spec.js";

export interface Ids {
  uid: number;
  gid: number;
}

/** Who runs the exec, and how it sees the files Gantry makes. */
export interface OwnerContext {
  mode: "bubblewrap" | "plain";
  /** Gantry's own uid and gid. */
  uid: number;
  gid: number;
  /** Where names are looked up: the sandbox shows the host's /etc (default "/etc"). */
  etc?: string;
}

type OwnedMount = Extract<MountSpec, { kind: "dir" | "file" | "cache" }>;

const CALLS = { dir: "withMountedDirectory", file: "withMountedFile", cache: "withMountedCache" };

/**
 * The ids to chown a mount's files to, or undefined when nothing needs doing (no owner, or the files already show
 * as that owner in the exec). A non-root caller cannot give files away, and a bubblewrap sandbox maps only the
 * caller (to root): an owner that needs more is refused naming the option, never dropped.
 */
export async function mountOwnerIds(m: OwnedMount, ctx: OwnerContext): Promise<Ids | undefined> {
  if (m.owner === undefined) return undefined;
  const ids = await resolveHostOwner(m.owner, ctx.etc ?? "/etc");
  if (ctx.uid === 0) return ids;
  // without root, files Gantry writes belong to the caller: seen as root inside the sandbox, as the caller outside
  const seen = ctx.mode === "bubblewrap" ? { uid: 0, gid: 0 } : { uid: ctx.uid, gid: ctx.gid };
  if (ids.uid === seen.uid && ids.gid === seen.gid) return undefined;
  throw new UnsupportedError(
    `${CALLS[m.kind]} ${m.target}: owner ${JSON.stringify(m.owner)} (${ids.uid}:${ids.gid}) needs the host runtime to run as root: ` +
      `Gantry runs as uid ${ctx.uid}, so the exec sees its files as ${seen.uid}:${seen.gid}`,
    { hint: "run with --runtime=docker, run Gantry as root, or leave the owner out" },
  );
}

// Names as the exec sees them: the sandbox shows the host's /etc read-only, so its passwd and group decide.
export async function resolveHostOwner(owner: string, etc: string): Promise<Ids> {
  const { user, group } = splitOwner(owner);
  const uid = await lookupId(path.join(etc, "passwd"), user, owner);
  const gid =
    group === undefined || group === ""
      ? uid
      : await lookupId(path.join(etc, "group"), group, owner);
  return { uid, gid };
}

async function lookupId(file: string, name: string, owner: string): Promise<number> {
  const numeric = numericId(name);
  if (numeric !== undefined) return numeric;
  const id = idInDatabase(await readFile(file, "utf8").catch(() => ""), name);
  if (id !== undefined) return id;
  throw new NotFoundError(`owner ${JSON.stringify(owner)}: no ${JSON.stringify(name)} in ${file}`, {
    hint: "use numeric ids (e.g. 1000:1000), or a user the host has",
  });
}

/** Give a file, or a directory and everything below it, to `ids` (links themselves, never what they point to). */
export async function chownTree(root: string, ids: Ids): Promise<void> {
  await lchown(root, ids.uid, ids.gid);
  const dirs = [root];
  for (let dir = dirs.pop(); dir !== undefined; dir = dirs.pop()) {
    const entries = await readdir(dir, { withFileTypes: true }).catch(
      (e: NodeJS.ErrnoException) => {
        if (e.code === "ENOTDIR") return [];
        throw e;
      },
    );
    for (const e of entries) {
      const p = path.join(dir, e.name);
      await lchown(p, ids.uid, ids.gid);
      if (e.isDirectory()) dirs.push(p);
    }
  }
}
