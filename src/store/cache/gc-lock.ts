// One collection at a time per state dir: two runs ending together must not both walk and evict. A lock file made
// with O_EXCL holding the owner's pid (the shape of the reliability work's file locks); a dead owner's is stale.
import { mkdir, open, readFile, unlink } from "node:fs/promises";
import path from "node:path";
import { processIsAlive } from "../../process-alive.js";

/** Take the state dir's gc lock if nobody alive holds it; the function returned releases it. */
export async function tryGcLock(
  stateDir: string,
  isAlive: (pid: number) => boolean = processIsAlive,
): Promise<(() => Promise<void>) | undefined> {
  const file = path.join(stateDir, "cache", "gc.lock");
  await mkdir(path.dirname(file), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fh = await open(file, "wx", 0o600);
      try {
        await fh.writeFile(`${process.pid}\n`);
      } finally {
        await fh.close();
      }
      return () => unlink(file).catch(() => undefined);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    const pid = Number((await readFile(file, "utf8").catch(() => "")).trim());
    if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) return undefined;
    await unlink(file).catch(() => undefined); // its owner died: take it on the next attempt
  }
  return undefined;
}
