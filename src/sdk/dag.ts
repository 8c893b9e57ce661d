// The root of the object graph, as in Dagger: `dag.container()`, `dag.directory()`, `dag.setSecret()`.
import { Container } from "./container.js";
import { Directory } from "./directory.js";
import { Host } from "./host.js";
import { Secret } from "./secret.js";
import { CacheVolume } from "./cache-volume.js";
import { assertString } from "./validate.js";
import { GitRepository, type GitOpts } from "./git.js";
import { File } from "./file.js";
import { CurrentModule } from "./current-module.js";
import { hostPlatform } from "./platform.js";

/** Gantry's root object; stateless, so one shared instance is safe (objects are lazy, runs are found by context). */
export class Client {
  container(_opts: { platform?: string } = {}): Container {
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

export const dag = new Client();
