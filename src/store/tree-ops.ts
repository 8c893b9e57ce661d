// Directory arithmetic on Trees (withDirectory, withoutFile, diff, glob…): pure, never mutating an input.
import { normalizeTreePath, type DirEntry, type Tree, type TreeEntry } from "./tree.js";
import { globMatcher } from "./glob.js";
import { makePathFilter, type FilterOptions } from "./ignore-rules.js";
import { NotFoundError } from "../errors.js";

/** The implicit root, and any parent directory a write has to create. */
const NEW_DIR: DirEntry = Object.freeze({ type: "dir", mode: 0o755 });

// Lookups accept user paths ("./a/b/"); the root answers as a directory so callers need no special case.
export function getEntry(tree: Tree, p: string): TreeEntry | undefined {
  const key = normalizeTreePath(p);
  return key === "" ? NEW_DIR : ownEntry(tree, key);
}

// Directory.directory(path): the entries below `path`, re-rooted.
export function subTree(tree: Tree, p: string): Tree {
  const key = requireDir(tree, p);
  if (key === "") return tree;
  const prefix = key + "/";
  const picked = Object.entries(tree.entries).filter(([k]) => k.startsWith(prefix));
  return { entries: Object.fromEntries(picked.map(([k, e]) => [k.slice(prefix.length), e])) };
}

// Directory.entries(): immediate child names, sorted, directories without a trailing slash.
export function listEntries(tree: Tree, p: string): string[] {
  const key = requireDir(tree, p);
  const prefix = key === "" ? "" : key + "/";
  const names: string[] = [];
  for (const k of Object.keys(tree.entries)) {
    if (k.startsWith(prefix) && !k.includes("/", prefix.length)) names.push(k.slice(prefix.length));
  }
  return names.sort();
}

// Directory.withDirectory(path, dir, {include, exclude}): `sub` (filtered) merged over `base` at `path`.
export function withTreeAt(base: Tree, p: string, sub: Tree, filter?: FilterOptions): Tree {
  const at = normalizeTreePath(p);
  const source = filter ? filterTree(sub, filter) : sub;
  const entries = new Map(Object.entries(base.entries));
  // Paths where a non-directory must give way to a directory, or a directory (and its contents) to a file.
  const replaced = new Set<string>();
  const join = (k: string) => (at === "" ? k : at + "/" + k);
  for (const [k, e] of Object.entries(source.entries)) {
    const old = entries.get(join(k));
    if (old && (old.type === "dir") !== (e.type === "dir")) replaced.add(join(k));
  }
  for (const a of [...ancestorsOf(at), ...(at === "" ? [] : [at])]) {
    const old = entries.get(a);
    if (old && old.type !== "dir") replaced.add(a);
  }
  removeSubtrees(entries, replaced);
  ensureDirs(entries, at);
  for (const [k, e] of Object.entries(source.entries)) entries.set(join(k), e);
  return { entries: Object.fromEntries(entries) };
}

// Directory.withFile / withNewFile: one entry at `path`, parent directories created as needed.
export function withEntryAt(base: Tree, p: string, entry: TreeEntry): Tree {
  const key = normalizeTreePath(p);
  if (key === "")
    throw new TypeError(`cannot put a ${entry.type} at the root of a directory; give it a name`);
  const slash = key.lastIndexOf("/");
  const name = slash < 0 ? key : key.slice(slash + 1);
  return withTreeAt(base, slash < 0 ? "" : key.slice(0, slash), { entries: { [name]: entry } });
}

// Directory.withoutFile / withoutDirectory: removing a missing path is not an error (as in Dagger).
export function withoutPath(base: Tree, p: string): Tree {
  const key = normalizeTreePath(p);
  if (key === "") return { entries: {} };
  if (!Object.hasOwn(base.entries, key)) return base;
  const entries = new Map(Object.entries(base.entries));
  removeSubtrees(entries, new Set([key]));
  return { entries: Object.fromEntries(entries) };
}

// Directory.filter and the include/exclude of withDirectory: selected paths plus the parents that hold them.
export function filterTree(tree: Tree, opts: FilterOptions): Tree {
  const filter = makePathFilter(opts);
  const keep = new Set<string>();
  for (const [k, e] of Object.entries(tree.entries)) {
    if (!filter.includes(k, e.type === "dir")) continue;
    keep.add(k);
    for (const a of ancestorsOf(k)) keep.add(a);
  }
  return { entries: Object.fromEntries(Object.entries(tree.entries).filter(([k]) => keep.has(k))) };
}

// Directory.diff(other): what `upper` adds or changes over `lower`, with parents; deletions are not represented.
export function diffTree(lower: Tree, upper: Tree): Tree {
  const keep = new Set<string>();
  for (const [k, e] of Object.entries(upper.entries)) {
    const old = ownEntry(lower, k);
    if (old && sameEntry(old, e)) continue;
    keep.add(k);
    for (const a of ancestorsOf(k)) keep.add(a);
  }
  return {
    entries: Object.fromEntries(Object.entries(upper.entries).filter(([k]) => keep.has(k))),
  };
}

// Directory.glob(pattern): every entry (file, directory or link) whose path matches, sorted.
export function globTree(tree: Tree, pattern: string): string[] {
  const cleaned = pattern.replace(/^(\.\/|\/)+/, "");
  const matches = globMatcher(cleaned === "" ? "**" : cleaned, { dot: true });
  return Object.keys(tree.entries)
    .filter((k) => matches(k))
    .sort();
}

// Shared by subTree and listEntries: a precise error for a missing path and for a file where a dir was asked.
function requireDir(tree: Tree, p: string): string {
  const key = normalizeTreePath(p);
  const entry = getEntry(tree, key);
  if (!entry) {
    throw new NotFoundError(`no such directory ${JSON.stringify(p)} in the directory`, {
      hint: "list the parent with entries() to see what it holds",
    });
  }
  if (entry.type !== "dir")
    throw new NotFoundError(`${JSON.stringify(p)} is a ${entry.type}, not a directory`);
  return key;
}

// Entries compare by content, mode and link target; the record's other fields are derived from those.
function sameEntry(a: TreeEntry, b: TreeEntry): boolean {
  if (a.type === "file" && b.type === "file") return a.digest === b.digest && a.mode === b.mode;
  if (a.type === "dir" && b.type === "dir") return a.mode === b.mode;
  if (a.type === "symlink" && b.type === "symlink") return a.target === b.target;
  return false;
}

// "a/b/c" → ["a", "a/b"]: every entry's parents must be present (the Tree invariant).
function ancestorsOf(p: string): string[] {
  const out: string[] = [];
  for (let i = p.indexOf("/"); i >= 0; i = p.indexOf("/", i + 1)) out.push(p.slice(0, i));
  return out;
}

// Creates missing directories down to and including `p` (in a working copy, never an input).
function ensureDirs(entries: Map<string, TreeEntry>, p: string): void {
  if (p === "") return;
  for (const a of [...ancestorsOf(p), p]) if (!entries.has(a)) entries.set(a, NEW_DIR);
}

// One pass removes every listed path and everything below it, however many there are.
function removeSubtrees(entries: Map<string, TreeEntry>, roots: ReadonlySet<string>): void {
  if (roots.size === 0) return;
  for (const k of [...entries.keys()]) {
    if (roots.has(k) || ancestorsOf(k).some((a) => roots.has(a))) entries.delete(k);
  }
}

// Entries are plain objects: a file named "constructor" or "__proto__" must not hit Object.prototype.
function ownEntry(tree: Tree, key: string): TreeEntry | undefined {
  return Object.hasOwn(tree.entries, key) ? tree.entries[key] : undefined;
}
