// .gitignore rules with git's precedence (deeper files win), including the files above the root up to the repository top.
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { createRequire } from "node:module";
import type ignoreApi from "ignore";
import type { Ignore } from "ignore";
import { patternWarnings } from "./ignore-rules.js";

// Required, not imported: an ESM import of a CommonJS package makes Node scan it for named exports first.
const ignore = createRequire(import.meta.url)("ignore") as typeof ignoreApi;

interface Level {
  /** Directory holding the .gitignore, relative to the repository top ("" for the top). */
  readonly dir: string;
  readonly rules: Ignore;
}

/** An immutable stack of .gitignore files along one path of a walk; `withFile` pushes the next one. */
export class GitignoreRules {
  private readonly levels: readonly Level[];
  /** The walk root relative to the repository top, with a trailing "/" (or "" at the top). */
  private readonly rootPrefix: string;
  /** Told about each malformed pattern, so the caller can show it to the user. */
  private readonly warn: (message: string) => void;

  private constructor(
    levels: readonly Level[],
    rootPrefix: string,
    warn: (message: string) => void,
  ) {
    this.levels = levels;
    this.rootPrefix = rootPrefix;
    this.warn = warn;
  }

  // A tree's walk (Directory.filter): no repository around it, so only the .gitignore files inside it count.
  static none(warn: (message: string) => void = () => {}): GitignoreRules {
    return new GitignoreRules([], "", warn);
  }

  // Git applies the .gitignore files of the directories above a subfolder too, so load those first.
  static async forRoot(
    root: string,
    warn: (message: string) => void = () => {},
  ): Promise<GitignoreRules> {
    const top = await findRepositoryTop(root);
    if (top === undefined || top === root) return new GitignoreRules([], "", warn);
    const rel = path.relative(top, root).split(path.sep).join("/");
    let rules = new GitignoreRules([], rel + "/", warn);
    const parts = rel.split("/");
    for (let i = 0; i < parts.length; i++) {
      const dir = parts.slice(0, i).join("/");
      const file = path.join(top, dir, ".gitignore");
      const content = await readOptional(file);
      if (content !== undefined) rules = rules.pushLevel(dir, content, file);
    }
    return rules;
  }

  // The walker calls this when a directory holds a .gitignore (`file`); `relDir` is relative to the walk root.
  withFile(relDir: string, content: string, file: string): GitignoreRules {
    const dir = (this.rootPrefix + relDir).replace(/\/$/, "");
    return this.pushLevel(dir, content, file);
  }

  // Each level may decide; a deeper level that matches overrides a shallower one, as in git.
  ignores(relPath: string, isDir: boolean): boolean {
    const full = this.rootPrefix + relPath;
    let ignored = false;
    for (const level of this.levels) {
      const rel = level.dir === "" ? full : full.slice(level.dir.length + 1);
      const result = level.rules.test(isDir ? rel + "/" : rel);
      if (result.ignored) ignored = true;
      else if (result.unignored) ignored = false;
    }
    return ignored;
  }

  private pushLevel(dir: string, content: string, file: string): GitignoreRules {
    content.split(/\r?\n/).forEach((line, i) => {
      if (line.startsWith("#")) return;
      for (const w of patternWarnings([line.trim()], `${file}:${i + 1}`, "gitignore")) this.warn(w);
    });
    // Case-sensitive everywhere, so a tree's digest does not depend on the host's file system.
    const rules = ignore({ ignorecase: false }).add(content);
    return new GitignoreRules([...this.levels, { dir, rules }], this.rootPrefix, this.warn);
  }
}

// The nearest directory at or above `dir` holding a `.git` (a directory, or a file in worktrees).
async function findRepositoryTop(dir: string): Promise<string | undefined> {
  for (let d = dir; ; d = path.dirname(d)) {
    if ((await stat(path.join(d, ".git")).catch(() => undefined)) !== undefined) return d;
    if (path.dirname(d) === d) return undefined;
  }
}

// A missing or unreadable .gitignore above the root just contributes no rules.
async function readOptional(file: string): Promise<string | undefined> {
  return readFile(file, "utf8").catch(() => undefined);
}
