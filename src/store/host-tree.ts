// Turns a host directory into a Tree (Host.directory): walk with filters, digest files via the stat cache.
import { lstatSync, readdirSync, readFileSync, readlinkSync, type Stats } from "node:fs";
import { stat } from "node:fs/promises";
import path from "node:path";
import type { ContentStore } from "./content-store.js";
import type { Tree, TreeEntry } from "./tree.js";
import { GitignoreRules } from "./gitignore.js";
import { makePathFilter, type PathFilter } from "./ignore-rules.js";
import { StatCache, hashHostFiles, isRacy } from "./stat-cache.js";
import { NotFoundError, UsageError } from "../errors.js";

export interface HostDirectoryOptions {
  readonly include?: readonly string[];
  readonly exclude?: readonly string[];
  /** Honour .gitignore files (in and above the root, up to the repository top) and skip `.git`. */
  readonly gitignore?: boolean;
  /** Told about each malformed pattern in a .gitignore: the walk goes on (as git does), the user should know. */
  readonly onWarning?: (message: string) => void;
}

/** What the walk keeps of an lstat: plain numbers, so 10k walked paths hold no Stats or Date objects. */
interface Found {
  readonly abs: string;
  readonly kind: "file" | "dir" | "symlink";
  readonly mode: number;
  readonly size: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
  readonly ino: number;
  /** Date.now() taken before the lstat, for the stat cache's racy-timestamp check. */
  readonly statTimeMs: number;
  readonly selected: boolean;
  /** A selected symlink's target, read during the walk ("" otherwise). */
  readonly target: string;
}

/** The walk uses sync syscalls (3–4× cheaper than async here) and yields to the event loop this often. */
const YIELD_EVERY = 1000;

// The one entry point: a Merkle-ready manifest of the included files, never times or owners.
export async function hashHostDirectory(
  root: string,
  opts: HostDirectoryOptions,
  store: ContentStore,
): Promise<Tree> {
  if (!path.isAbsolute(root))
    throw new TypeError(`hashHostDirectory needs an absolute root, got ${JSON.stringify(root)}`);
  root = path.resolve(root);
  await checkRoot(root);
  const filter = makePathFilter(opts);
  const git = opts.gitignore ? await GitignoreRules.forRoot(root, opts.onWarning) : undefined;
  const cache = await StatCache.load(store, root);
  const found = await walkHost(root, filter, git);

  const entries = new Map<string, TreeEntry>();
  const misses: [string, Found][] = [];
  for (const [rel, f] of found) {
    if (!f.selected) continue;
    if (f.kind === "dir") entries.set(rel, { type: "dir", mode: f.mode });
    else if (f.kind === "symlink") entries.set(rel, { type: "symlink", target: f.target });
    else {
      const digest = cache.lookup(rel, f);
      if (digest === undefined) misses.push([rel, f]);
      else entries.set(rel, { type: "file", mode: f.mode, digest, size: f.size });
    }
  }
  const hashed = await hashHostFiles(misses.map(([, f]) => f)).catch((e: unknown) =>
    rethrowRead(e, (e as NodeJS.ErrnoException).path ?? root, root),
  );
  // Files in the store (snapshots) are the store's to serve; the others are read from the host again when sent.
  const snapshots = new Set<string>();
  for (const [i, [rel, f]] of misses.entries()) {
    let h = hashed[i];
    if (!h) continue; // deleted since the walk
    if (h.size !== f.size || isRacy(f, f.statTimeMs) || movedSinceWalk(f)) {
      // Changed since the walk, or written moments ago: maybe still being written. Its bytes are
      // copied into the store once a read sees it hold still, so what is sent is what was hashed.
      const snap = await store.snapshotHostFile(f.abs);
      if (!snap) continue;
      h = snap;
      snapshots.add(rel);
    } else cache.remember(rel, f, h.digest, f.statTimeMs);
    entries.set(rel, { type: "file", mode: f.mode, digest: h.digest, size: h.size });
  }
  addWalkedParents(entries, found);
  await cache.save((rel) => !filter.includes(rel, false));

  const sorted = [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [rel, entry] of sorted) {
    if (entry.type === "file" && !snapshots.has(rel))
      store.registerSource(entry.digest, found.get(rel)?.abs ?? path.join(root, rel), entry.size);
  }
  // fromEntries defines own properties, so a file named "__proto__" stays a file.
  return { entries: Object.fromEntries(sorted) };
}

// True when the file's stat after its read differs from the walk's (it changed while being hashed, or is gone).
function movedSinceWalk(f: Found): boolean {
  const st = lstatSync(f.abs, { throwIfNoEntry: false });
  return (
    !st ||
    st.size !== f.size ||
    st.mtimeMs !== f.mtimeMs ||
    st.ctimeMs !== f.ctimeMs ||
    st.ino !== f.ino
  );
}

// A missing root is the common user mistake (a typo in --source), so it gets its own message.
async function checkRoot(root: string): Promise<void> {
  const st = await stat(root).catch((cause: unknown) => {
    throw new NotFoundError(`host directory ${root} does not exist`, {
      cause,
      hint: "check the path; relative paths are resolved against the directory gantry runs in",
    });
  });
  if (!st.isDirectory()) {
    throw new NotFoundError(`host path ${root} is not a directory`, {
      hint: "use host().file() for a single file",
    });
  }
}

// Collects every selected path plus the walked-but-unselected directories (candidates for kept parents).
async function walkHost(
  root: string,
  filter: PathFilter,
  git: GitignoreRules | undefined,
): Promise<Map<string, Found>> {
  const found = new Map<string, Found>();
  const stack: [string, GitignoreRules | undefined][] = [["", git]];
  let ops = 0;
  while (stack.length > 0) {
    const [dirRel, dirGit] = stack.pop()!;
    const dirAbs = dirRel === "" ? root : root + path.sep + dirRel;
    const dirents =
      ifPresent(() => readdirSync(dirAbs, { withFileTypes: true }), dirAbs, root) ?? [];
    let rules = dirGit;
    if (rules && dirents.some((d) => d.name === ".gitignore" && !d.isDirectory())) {
      const file = path.join(dirAbs, ".gitignore");
      const content = ifPresent(() => readFileSync(file, "utf8"), file, root);
      if (content !== undefined) rules = rules.withFile(dirRel, content, file);
    }
    const statTimeMs = Date.now();
    for (const d of dirents) {
      if (rules && d.name === ".git") continue;
      const rel = dirRel === "" ? d.name : dirRel + "/" + d.name;
      if (++ops % YIELD_EVERY === 0) await new Promise<void>((r) => setImmediate(r));
      const first = decide(rel, d.isDirectory(), filter, rules);
      if (first === "skip") continue;
      const abs = dirAbs + path.sep + d.name;
      const st = ifPresent(() => lstatSync(abs), abs, root);
      const kind = st && kindOf(st);
      if (!st || !kind) continue; // vanished, or a socket, FIFO or device
      // The entry may have been replaced since readdir; lstat is the truth.
      const isDir = kind === "dir";
      const verdict = isDir === d.isDirectory() ? first : decide(rel, isDir, filter, rules);
      if (verdict === "skip") continue;
      const selected = verdict === "select";
      const target =
        kind === "symlink" && selected ? ifPresent(() => readlinkSync(abs), abs, root) : "";
      if (target === undefined) continue;
      const { size, mtimeMs, ctimeMs, ino } = st;
      const mode = st.mode & 0o777;
      found.set(rel, {
        abs,
        kind,
        mode,
        size,
        mtimeMs,
        ctimeMs,
        ino,
        statTimeMs,
        selected,
        target,
      });
      if (isDir) stack.push([rel, rules]);
    }
  }
  return found;
}

// "select": keep this path; "walk": a directory kept only if something below it is; "skip": prune.
function decide(
  rel: string,
  isDir: boolean,
  filter: PathFilter,
  git: GitignoreRules | undefined,
): "select" | "walk" | "skip" {
  if (git?.ignores(rel, isDir)) return "skip";
  if (filter.includes(rel, isDir)) return "select";
  return isDir && filter.mayContain(rel) ? "walk" : "skip";
}

// Parents of kept paths are kept with their real modes, as buildkit's include filter keeps them.
function addWalkedParents(
  entries: Map<string, TreeEntry>,
  found: ReadonlyMap<string, Found>,
): void {
  for (const rel of [...entries.keys()]) {
    for (let i = rel.lastIndexOf("/"); i > 0; i = rel.lastIndexOf("/", i - 1)) {
      const parent = rel.slice(0, i);
      if (entries.has(parent)) break;
      entries.set(parent, { type: "dir", mode: found.get(parent)?.mode ?? 0o755 });
    }
  }
}

// Which entries a tree can hold; sockets, FIFOs and devices are left out.
function kindOf(st: Stats): Found["kind"] | undefined {
  if (st.isFile()) return "file";
  if (st.isDirectory()) return "dir";
  return st.isSymbolicLink() ? "symlink" : undefined;
}

// Something deleted mid-walk is simply gone (undefined); anything else (EACCES) is the user's to fix.
function ifPresent<T>(read: () => T, abs: string, root: string): T | undefined {
  try {
    return read();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    return rethrowRead(e, abs, root);
  }
}

// One message for unreadable paths, naming the path and the way out.
function rethrowRead(cause: unknown, abs: string, root: string): never {
  const code = (cause as NodeJS.ErrnoException).code;
  if (typeof code !== "string") throw cause; // not a file system error: a bug, keep its stack
  throw new UsageError(`cannot read ${abs} (${code}) while hashing host directory ${root}`, {
    cause,
    hint: "fix its permissions, or leave it out with exclude: [...]",
  });
}
