// The machine running Gantry: its directories, files and secrets enter a pipeline through here.
import path from "node:path";
import { readFile } from "node:fs/promises";
import { Directory } from "./directory.js";
import { File } from "./file.js";
import { Secret } from "./secret.js";
import { assertString } from "./validate.js";
import { NotFoundError, UnsupportedError } from "../errors.js";
import { Service } from "./service.js";
import { NetworkProtocol } from "./enums.js";

/** A host port offered to containers: they dial `alias:frontend` (default: backend), Gantry relays to `host:backend`. */
export interface PortForward {
  backend: number;
  frontend?: number;
  protocol?: NetworkProtocol;
}

export interface HostServiceOpts {
  /** The host name dialled on this machine (default "localhost"). */
  host?: string;
}

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

  /**
   * A port of this machine as a service containers bind like any other (Dagger's `host.service`): a dev server, a
   * database the developer already runs. Something must listen on each backend port when a consumer starts.
   * @example
   * const api = dag.host().service([{ frontend: 80, backend: 3000 }])
   * await dag.container().from("alpine").withServiceBinding("api", api).withExec(["wget", "-qO-", "http://api/"]).stdout()
   */
  service(ports: PortForward[], opts: HostServiceOpts = {}): Service {
    if (!Array.isArray(ports) || ports.length === 0)
      throw new TypeError(
        "Host.service: ports must be a non-empty array of { backend, frontend? }",
      );
    const host = opts.host ?? "localhost";
    assertString("Host.service", "host", host);
    const seen = new Set<number>();
    const out = ports.map((p, i) => {
      const frontend = p.frontend ?? p.backend;
      for (const [what, v] of [
        ["backend", p.backend],
        ["frontend", frontend],
      ] as const)
        if (!Number.isInteger(v) || v < 1 || v > 65535)
          throw new TypeError(
            `Host.service: ports[${i}].${what} must be 1–65535, got ${String(v)}`,
          );
      if ((p.protocol ?? NetworkProtocol.Tcp) !== NetworkProtocol.Tcp)
        throw new UnsupportedError(`Host.service: ports[${i}]: only TCP ports can be relayed`);
      if (seen.has(frontend))
        throw new TypeError(`Host.service: frontend port ${frontend} is given twice`);
      seen.add(frontend);
      return { frontend, backend: p.backend };
    });
    return new Service({ kind: "host", host, ports: out });
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
