// A directory value: immutable, lazy, cheap to transform (manifest arithmetic), hashed by content.
import * as engine from "../engine/api/index.js";
import type { DirectoryNode } from "../engine/api/index.js";
import { File } from "./file.js";
import { Container, type ContainerBuildOpts } from "./container.js";
import { terminalUnsupported } from "./terminal.js";
import { currentModuleInfo } from "./current-module.js";
import { assertString, assertStringArray } from "./validate.js";

export interface DirectoryFilterOpts {
  include?: string[];
  exclude?: string[];
  /**
   * Leave out what the directory's own .gitignore files ignore, and `.git` (default false, as in Dagger), with the
   * rules `dag.host().directory(path, { gitignore: true })` uses. Applied before include/exclude.
   */
  gitignore?: boolean;
}

/**
 * @example
 * const src = dag.host().directory(".", { exclude: ["node_modules"] })
 * const out = src.withNewFile("VERSION", "1.0.0").withoutDirectory("tmp")
 */
export class Directory {
  /** @internal */
  readonly _node: DirectoryNode;

  /** @internal */
  constructor(node: DirectoryNode = { op: "scratch" }) {
    this._node = node;
    Object.freeze(this);
  }

  /** Plug a helper into a chain: `dir.with(addLicense)`. */
  with(fn: (d: Directory) => Directory): Directory {
    return fn(this);
  }

  withNewFile(p: string, contents: string, opts: { permissions?: number } = {}): Directory {
    assertString("Directory.withNewFile", "path", p);
    assertString("Directory.withNewFile", "contents", contents);
    return new Directory({
      op: "withNewFile",
      base: this._node,
      path: p,
      contents,
      permissions: opts.permissions ?? 0o644,
    });
  }

  withFile(p: string, source: File, opts: { permissions?: number } = {}): Directory {
    assertString("Directory.withFile", "path", p);
    if (!(source instanceof File))
      throw new TypeError(`Directory.withFile: source must be a File, got ${typeof source}`);
    return new Directory({
      op: "withFile",
      base: this._node,
      path: p,
      file: source._node,
      permissions: opts.permissions,
    });
  }

  withDirectory(p: string, source: Directory, opts: DirectoryFilterOpts = {}): Directory {
    assertString("Directory.withDirectory", "path", p);
    if (!(source instanceof Directory))
      throw new TypeError(
        `Directory.withDirectory: source must be a Directory, got ${typeof source}`,
      );
    return new Directory({
      op: "withDirectory",
      base: this._node,
      path: p,
      dir: source._node,
      include: opts.include,
      exclude: opts.exclude,
      gitignore: opts.gitignore || undefined,
    });
  }

  /** Copy several files into the directory `p`, each under its own name. */
  withFiles(p: string, sources: File[], opts: { permissions?: number } = {}): Directory {
    assertString("Directory.withFiles", "path", p);
    if (!Array.isArray(sources) || sources.some((f) => !(f instanceof File)))
      throw new TypeError("Directory.withFiles: sources must be an array of File");
    return sources.reduce<Directory>(
      (d, f) =>
        new Directory({
          op: "withFile",
          base: d._node,
          path: p,
          file: f._node,
          permissions: opts.permissions,
          intoDir: true,
        }),
      this,
    );
  }

  /** Gantry's trees hold no timestamps, so every directory already has them all equal: the same directory. */
  withTimestamps(_timestamp: number): Directory {
    return this;
  }

  /** Whether `p` exists (as `expectedType`, if given: "DIRECTORY_TYPE", "REGULAR_TYPE", "SYMLINK_TYPE"). */
  async exists(p: string, opts: { expectedType?: string } = {}): Promise<boolean> {
    assertString("Directory.exists", "path", p);
    return engine.directoryExists(this._node, p, opts.expectedType);
  }

  /** Interactive terminals are not available in Gantry yet: this throws an UnsupportedError that says so. */
  terminal(opts: { cmd?: string[] } = {}): Directory {
    throw terminalUnsupported("Directory", opts.cmd);
  }

  withNewDirectory(p: string, opts: { permissions?: number } = {}): Directory {
    assertString("Directory.withNewDirectory", "path", p);
    return new Directory({
      op: "withNewDirectory",
      base: this._node,
      path: p,
      permissions: opts.permissions ?? 0o755,
    });
  }

  withoutFile(p: string): Directory {
    assertString("Directory.withoutFile", "path", p);
    return new Directory({ op: "without", base: this._node, paths: [p] });
  }

  withoutFiles(paths: string[]): Directory {
    assertStringArray("Directory.withoutFiles", "paths", paths);
    return new Directory({ op: "without", base: this._node, paths });
  }

  withoutDirectory(p: string): Directory {
    assertString("Directory.withoutDirectory", "path", p);
    return new Directory({ op: "without", base: this._node, paths: [p] });
  }

  /**
   * The same directory with fewer entries.
   *
   * @example
   * const tracked = src.filter({ gitignore: true, exclude: ["*.md"] })
   */
  filter(opts: DirectoryFilterOpts = {}): Directory {
    return new Directory({
      op: "filter",
      base: this._node,
      include: opts.include,
      exclude: opts.exclude,
      gitignore: opts.gitignore || undefined,
    });
  }

  /** The entries of `other` that are new or changed compared to this directory. */
  diff(other: Directory): Directory {
    return new Directory({ op: "diff", base: this._node, other: other._node });
  }

  directory(p: string): Directory {
    assertString("Directory.directory", "path", p);
    return new Directory({ op: "subdir", base: this._node, path: p });
  }

  file(p: string): File {
    assertString("Directory.file", "path", p);
    return new File({ op: "dirFile", dir: this._node, path: p });
  }

  /** Names directly under `path` (default: the root), sorted. */
  async entries(opts: { path?: string } | string = {}): Promise<string[]> {
    const p = typeof opts === "string" ? opts : (opts.path ?? "");
    // Dagger v0.17+ ends directory names with "/"; a module written for an older engine gets bare names.
    const markDirs = currentModuleInfo()?.compat?.entriesMarkDirs ?? false;
    return engine.directoryEntries(this._node, p, { markDirs });
  }

  async glob(pattern: string): Promise<string[]> {
    assertString("Directory.glob", "pattern", pattern);
    return engine.directoryGlob(this._node, pattern);
  }

  /** Content digest of the whole tree, stable across runs and machines. */
  async digest(): Promise<string> {
    return engine.directoryDigest(this._node);
  }

  /** Write the directory's contents into a host path (merging); returns the absolute path. */
  async export(dest: string, opts: { wipe?: boolean } = {}): Promise<string> {
    assertString("Directory.export", "path", dest);
    return engine.exportDirectory(this._node, dest, opts);
  }

  /** Build the Dockerfile in this directory; the result is a Container. */
  dockerBuild(opts: ContainerBuildOpts = {}): Container {
    return new Container().build(this, opts);
  }

  /** Force evaluation; returns the same directory. */
  async sync(): Promise<Directory> {
    await engine.syncDirectory(this._node);
    return this;
  }
}
