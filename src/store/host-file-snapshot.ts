// A host file that is being written has no single content; copy it into the store until one read sees it hold still.
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { open, rm, type FileHandle } from "node:fs/promises";
import { Transform, type TransformCallback, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { UsageError } from "../errors.js";

/** How many reads a changing file gets before Gantry gives up on a consistent copy of it. */
export const SNAPSHOT_ATTEMPTS = 5;

/** What a stable read must keep equal from its start to its end. */
function statKey(st: { size: number; mtimeMs: number; ctimeMs: number; ino: number }): string {
  return `${st.size}/${st.mtimeMs}/${st.ctimeMs}/${st.ino}`;
}

/**
 * Copy `hostPath` to `tmp` while hashing it, and keep the copy only if the file held still for the
 * whole read (same size, times and inode before and after, and exactly that many bytes read); try
 * again otherwise, and fail naming the file after SNAPSHOT_ATTEMPTS reads. Returns the copy's
 * digest and size (the caller moves it to its digest's place), or undefined if the file is gone.
 */
export async function snapshotHostFile(
  hostPath: string,
  tmp: () => string,
): Promise<{ file: string; digest: string; size: number } | undefined> {
  for (let attempt = 1; attempt <= SNAPSHOT_ATTEMPTS; attempt++) {
    let fh: FileHandle;
    try {
      fh = await open(hostPath, "r");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw e;
    }
    const dest = tmp();
    try {
      const before = statKey(await fh.stat());
      const hash = createHash("sha256");
      let size = 0;
      const tap = new Transform({
        transform(chunk: Buffer, _enc, cb: TransformCallback) {
          hash.update(chunk);
          size += chunk.length;
          cb(null, chunk);
        },
      });
      await pipeline(fh.createReadStream({ autoClose: false }), tap, createWriteStream(dest));
      const after = await fh.stat();
      if (statKey(after) === before && after.size === size)
        return { file: dest, digest: "sha256:" + hash.digest("hex"), size };
    } finally {
      await fh.close();
    }
    await rm(dest, { force: true });
    await new Promise((r) => setTimeout(r, 10 * attempt));
  }
  throw new UsageError(
    `${hostPath} kept changing while Gantry read it (${SNAPSHOT_ATTEMPTS} reads): a file that is being written has no consistent content to send or cache`,
    {
      hint: "leave it out of the directory (exclude/ignore, e.g. a log file), or stop what writes it, then run again",
    },
  );
}

/**
 * The bytes of a host file that was hashed earlier as `digest` (`size` bytes), checked as they
 * stream: the stream fails, naming the file, as soon as they can no longer be those bytes, so a
 * file changed since it was hashed never passes for the content its digest (and cache key) says.
 */
export function readVerified(
  hostPath: string,
  digest: string,
  size?: number,
  changed: () => Error = () => changedSinceHashed(hostPath),
): Readable {
  const hash = createHash("sha256");
  let seen = 0;
  const check = new Transform({
    transform(chunk: Buffer, _enc, cb: TransformCallback) {
      seen += chunk.length;
      if (size !== undefined && seen > size) return cb(changed());
      hash.update(chunk);
      cb(null, chunk);
    },
    flush(cb: TransformCallback) {
      cb("sha256:" + hash.digest("hex") === digest ? null : changed());
    },
  });
  pipeline(createReadStream(hostPath), check).catch(() => {
    // the error reaches the reader through `check`, which pipeline destroys with it
  });
  return check;
}

/** The error for a host file whose bytes no longer match the digest it was hashed to earlier in the run. */
export function changedSinceHashed(hostPath: string): UsageError {
  return new UsageError(
    `${hostPath} changed after Gantry hashed it for this run (it is being written?): its bytes no longer match the content the cache key was computed from`,
    {
      hint: "leave files that are being written out of the directory (exclude/ignore, e.g. a log file), or run again",
    },
  );
}
