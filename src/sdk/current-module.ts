// dag.currentModule(): the module whose function is running, found through the async context of the call.
import { AsyncLocalStorage } from "node:async_hooks";
import path from "node:path";
import type { Directory } from "./directory.js";
import type { File } from "./file.js";
import { Host } from "./host.js";
import { UsageError } from "../errors.js";

/** What Gantry knows of a loaded module while one of its functions runs. */
export interface ModuleInfo {
  name: string;
  /** The folder holding the module's code (dagger.json's `source`, e.g. `.dagger`). */
  sourceDir: string;
  /** The folder the module's code runs in: its relative file writes land here (the CLI's current folder). */
  workdir: string;
  /** Version-dependent Dagger semantics the module expects (from its dagger.json engineVersion). */
  compat?: { entriesMarkDirs: boolean; execUsesEntrypoint: boolean };
  /** Its dagger.json dependencies as `dag.<name>(...)` factories. */
  dependencies?: ReadonlyMap<string, (...args: unknown[]) => unknown>;
}

const running = new AsyncLocalStorage<ModuleInfo>();

/**
 * Run `fn` as a call into the module `info` (the CLI wraps every module call; a dependency's calls nest).
 *
 * @example
 * await runInModule({ name: "app", sourceDir: "/p/.dagger", workdir: "/p" }, () => callFunction())
 */
export function runInModule<T>(info: ModuleInfo, fn: () => T): T {
  return running.run(Object.freeze({ ...info }), fn);
}

/** The module whose code is running, if any (SDK methods whose meaning depends on its engineVersion ask). */
export function currentModuleInfo(): ModuleInfo | undefined {
  return running.getStore();
}

/** The running module's own facts (Dagger's `CurrentModule`). */
export class CurrentModule {
  /** @internal */
  readonly _info: ModuleInfo;

  /** @internal */
  constructor() {
    const info = running.getStore();
    if (!info)
      throw new UsageError("dag.currentModule() is only available inside a module function", {
        hint: "call it from a function run by `gantry call`",
      });
    this._info = info;
    Object.freeze(this);
  }

  async name(): Promise<string> {
    return this._info.name;
  }

  /** The module's source folder (its code and files beside it), without node_modules. */
  source(): Directory {
    return new Host().directory(this._info.sourceDir, { exclude: ["**/node_modules"] });
  }

  /**
   * A directory of the folder the module's code runs in. Gantry runs module code on the host in the CLI's
   * current folder (Dagger: a scratch folder in the module's container), so files the code wrote there are seen.
   */
  workdir(p = ".", opts: { include?: string[]; exclude?: string[] } = {}): Directory {
    return new Host().directory(this.inWorkdir(p, "workdir"), opts);
  }

  workdirFile(p: string): File {
    return new Host().file(this.inWorkdir(p, "workdirFile"));
  }

  // Paths stay inside the workdir, as Dagger's scratch folder keeps them.
  private inWorkdir(p: string, what: string): string {
    const abs = path.resolve(this._info.workdir, p);
    const rel = path.relative(this._info.workdir, abs);
    if (rel.startsWith("..") || path.isAbsolute(rel))
      throw new UsageError(
        `CurrentModule.${what}(${JSON.stringify(p)}) leaves the module's workdir`,
      );
    return abs;
  }
}
