// The root of the object graph, as in Dagger: `dag.container()`, `dag.directory()`, `dag.setSecret()`.
import { Container } from "./container.js";
import { Directory } from "./directory.js";
import { Host } from "./host.js";
import { Secret } from "./secret.js";
import { CacheVolume } from "./cache-volume.js";
import { assertString } from "./validate.js";
import { UsageError } from "../errors.js";
import { GitRepository, type GitOpts } from "./git.js";
import { File } from "./file.js";
import { CurrentModule, currentModuleInfo } from "./current-module.js";
import { hostPlatform } from "./platform.js";
import { assertOwnPlatform } from "./platform-check.js";

/** Gantry's root object; stateless, so one shared instance is safe (objects are lazy, runs are found by context). */
export class Client {
  container(opts: { platform?: string } = {}): Container {
    if (opts.platform !== undefined)
      assertOwnPlatform("dag.container({ platform })", opts.platform);
    return new Container();
  }

  directory(): Directory {
    return new Directory();
  }

  host(): Host {
    return new Host();
  }

  cacheVolume(key: string): CacheVolume {
    return new CacheVolume(key);
  }

  /**
   * A git repository: a local path, `file://`, `https://` or ssh URL, fetched with this machine's git when used.
   *
   * @example
   * const tree = dag.git("../lib").branch("main").tree()
   */
  git(url: string, opts: GitOpts = {}): GitRepository {
    return new GitRepository(url, opts);
  }

  /**
   * A file downloaded over HTTP(S) when used, named after the URL's last path segment.
   *
   * @example
   * const script = dag.http("https://example.com/install.sh", { name: "install.sh" })
   */
  http(url: string, opts: { name?: string; permissions?: number } = {}): File {
    assertString("http", "url", url);
    return new File({ op: "http", url, name: opts.name, permissions: opts.permissions });
  }

  /** The platform containers run on: this machine's, e.g. `linux/amd64`. */
  async defaultPlatform(): Promise<string> {
    return hostPlatform();
  }

  /** The module whose function is running: its name, source folder and workdir. */
  currentModule(): CurrentModule {
    return new CurrentModule();
  }

  /** A secret from a value; the value is never logged, cached or written into an image. */
  setSecret(name: string, plaintext: string): Secret {
    assertString("setSecret", "name", name);
    assertString("setSecret", "plaintext", plaintext);
    return Secret._from(name, async () => plaintext);
  }
}

/**
 * The root every module imports. A module's dagger.json dependencies appear on it as `dag.<name>(...)` while that
 * module's code runs (found through the call's async context); Gantry's own fields always win.
 */
export const dag: Client = new Proxy(new Client(), {
  get(target, prop, receiver) {
    if (typeof prop === "string" && !isImplemented(target, prop)) {
      const info = currentModuleInfo();
      const dep = info?.dependencies?.get(prop);
      if (dep) return dep;
      // inside a module, an unknown dag.x() is most likely a dependency not declared in dagger.json
      if (info && !(prop in target) && /^[a-z][A-Za-z0-9]*$/.test(prop) && !PROBED.has(prop))
        return () => {
          throw new UsageError(
            `dag.${prop}() is neither Dagger core API nor a dependency of module ${info.name}`,
            {
              hint: "add the module it comes from with `gantry install <path or git ref>` (it is listed in dagger.json's dependencies)",
            },
          );
        };
    }
    return Reflect.get(target, prop, receiver) as unknown;
  },
});

/** Names libraries probe on any object (promises, JSON, inspectors): they must stay undefined. */
const PROBED = new Set([
  "then",
  "toJSON",
  "toString",
  "valueOf",
  "inspect",
  "constructor",
  "asymmetricMatch",
]);

// A real method of the client (not a stub for missing Dagger API, which a dependency of that name may shadow).
function isImplemented(target: Client, prop: string): boolean {
  const v = (target as unknown as Record<string, unknown>)[prop];
  return typeof v === "function" ? v.name !== "unsupported" : v !== undefined;
}
