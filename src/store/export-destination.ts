// An export writes where the user points it: check that place before any byte is written, and say in the
// user's terms (the path, what is in the way, what to do) why it cannot take the export.
import type { Stats } from "node:fs";
import { mkdir, rm, stat } from "node:fs/promises";
import path from "node:path";
import { ExportError } from "../errors.js";

export type ExportKind = "file" | "directory";

const CHOOSE = "choose another export path";

/**
 * Make `abs` ready to take an export of `kind`: its missing parent folders are created (and, for a directory,
 * the folder itself); anything in the way is an ExportError before anything is written. Returns whether
 * `abs` already existed (a directory export then merges into it). `wipe` removes what is at `abs` first.
 */
export async function prepareExportDestination(
  abs: string,
  kind: ExportKind,
  opts: { wipe?: boolean } = {},
): Promise<{ existed: boolean }> {
  await makeDirectories(abs, path.dirname(abs));
  if (opts.wipe) await rm(abs, { recursive: true, force: true }).catch(rethrowAs(abs, abs));
  const st = await statOrMissing(abs, abs);
  if (st && kind === "directory" && !st.isDirectory()) {
    throw new ExportError(`cannot export a directory to ${abs}: a file is already there`, {
      hint: `${CHOOSE}, or remove the file first`,
    });
  }
  if (st && kind === "file" && st.isDirectory()) {
    throw new ExportError(`cannot export a file to ${abs}: a directory is already there`, {
      hint: `give the file's own path (e.g. ${path.join(abs, "NAME")}), or remove the directory first`,
    });
  }
  if (!st && kind === "directory") await makeDirectories(abs, abs);
  return { existed: st !== undefined };
}

/**
 * A failure while writing an export to `abs`, as an ExportError when the destination caused it (permission,
 * read-only or full file system); anything else is returned unchanged, to be reported as what it is.
 * `where` is the path that could not be made or written (default: the error's own path).
 */
export function exportWriteError(abs: string, err: unknown, where?: string): unknown {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  where ??= (err as NodeJS.ErrnoException | undefined)?.path ?? abs;
  const at = where === abs ? "the destination" : where;
  const make = (what: string, hint: string) =>
    new ExportError(`cannot export to ${abs}: ${what}`, { cause: err, hint });
  switch (code) {
    case "EACCES":
    case "EPERM":
      return make(
        `no permission to write ${at}`,
        `${CHOOSE} you can write to, or change its permissions`,
      );
    case "EROFS":
      return make(`${at} is on a read-only file system`, `${CHOOSE} on a writable file system`);
    case "ENOSPC":
    case "EDQUOT":
      return make(`no space left on the file system of ${at}`, `free some space, or ${CHOOSE}`);
    case "ENAMETOOLONG":
      return make(`the path is too long`, `${CHOOSE} with shorter names`);
    case "EEXIST":
    case "ENOTDIR":
      return make(
        `${at} is in the way (a file where a directory is needed)`,
        `${CHOOSE}, or remove ${where}`,
      );
    case "EISDIR":
      return make(`${at} is a directory`, `${CHOOSE}, or remove the directory`);
    case "ENOENT":
      // the parent exists (it was checked), yet creating `where` fails: a special file system such as /proc
      return make(
        `the file system at ${path.dirname(where)} does not allow creating ${path.basename(where)}`,
        `${CHOOSE} in an ordinary directory`,
      );
    default:
      return err;
  }
}

// Create `target` and its missing parents one level at a time: Node's recursive mkdir spins forever on some
// special file systems (/proc) and hides EROFS behind ENOENT, and a file in the way must be named.
async function makeDirectories(abs: string, target: string): Promise<void> {
  const missing: string[] = [];
  let cur = target;
  for (;;) {
    const st = await statOrMissing(abs, cur);
    if (st?.isDirectory()) break;
    if (st) {
      throw new ExportError(`cannot export to ${abs}: ${cur} is a file, not a directory`, {
        hint: `${CHOOSE} whose parent folders are directories, or remove ${cur}`,
      });
    }
    missing.push(cur);
    const up = path.dirname(cur);
    if (up === cur) break;
    cur = up;
  }
  for (const dir of missing.reverse()) {
    try {
      await mkdir(dir);
    } catch (err) {
      // another export made it in the meantime: that is fine if it is a directory
      if (
        (err as NodeJS.ErrnoException).code === "EEXIST" &&
        (await statOrMissing(abs, dir))?.isDirectory()
      )
        continue;
      throw exportWriteError(abs, err, dir);
    }
  }
}

// stat that says "missing" for a path that does not exist, or whose parent is a file (found on the way up).
async function statOrMissing(abs: string, p: string): Promise<Stats | undefined> {
  try {
    return await stat(p);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return undefined;
    throw exportWriteError(abs, err, p);
  }
}

// A promise rejection handler that maps a destination's fs error.
function rethrowAs(abs: string, where: string): (err: unknown) => never {
  return (err) => {
    throw exportWriteError(abs, err, where);
  };
}
