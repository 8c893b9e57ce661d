// The root of the object graph, as in Dagger: `dag.container()`, `dag.directory()`, `dag.setSecret()`.
import { Container } from "./container.js";
import { Directory } from "./directory.js";
import { Host } from "./host.js";
import { Secret } from "./secret.js";
import { CacheVolume } from "./cache-volume.js";
import { assertString } from "./validate.js";

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

  /** A secret from a value; the value is never logged, cached or written into an image. */
  setSecret(name: string, plaintext: string): Secret {
    assertString("setSecret", "name", name);
    assertString("setSecret", "plaintext", plaintext);
    return Secret._from(name, async () => plaintext);
  }
}

export const dag = new Client();
