// The machine running Gantry: its directories, files and secrets enter a pipeline through here.
import path from "node:path";
import { readFile } from "node:fs/promises";
import { Directory } from "./directory.js";
import { File } from "./file.js";
import { Secret } from "./secret.js";
import { assertString } from "./validate.js";
import { NotFoundError } from "../errors.js";

export interface HostDirectoryOpts {
  include?: string[];
  exclude?: string[];
  /** Honour .gitignore files (default false, as in Dagger). */
  gitignore?: boolean;
}

/**
 * @example
 * const src = dag.host().directory(".", { exclude: ["node_modules", ".git"] })
 */
export class Host {
  /** A host directory, hashed by content when first used; relative paths are relative to the current directory. */
  directory(p: string, opts: HostDirectoryOpts = {}): Directory {
    assertString("Host.directory", "path", p);
    return new Directory({
      op: "host",
      path: p,
      include: opts.include,
      exclude: opts.exclude,
      gitignore: opts.gitignore,
    });
  }

  file(p: string): File {
    assertString("Host.file", "path", p);
    return new File({ op: "hostFile", path: p });
  }

  /** A secret read from a host file when first used. */
  setSecretFile(name: string, p: string): Secret {
    assertString("Host.setSecretFile", "name", name);
    assertString("Host.setSecretFile", "path", p);
    const abs = path.resolve(p);
    return Secret._from(name, async () => {
      try {
        return await readFile(abs, "utf8");
      } catch (cause) {
        throw new NotFoundError(`secret ${name}: cannot read ${abs}`, {
          cause,
          hint: "check the path and its permissions",
        });
      }
    });
  }
}
