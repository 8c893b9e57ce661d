// Called before dockerode is first required (connect-docker.ts). dockerode requires @grpc/grpc-js for BuildKit sessions that serve
// registry credentials, and docker-modem requires ssh2 for ssh:// engines, both eagerly: about 140 ms of every run's
// start-up here. Gantry uses neither — it serves its own build sessions (buildkit-session.ts) and refuses ssh:// with
// advice (socket-discovery.ts) — so both modules are replaced by stubs that fail loudly if anything ever calls them.
// Likewise tar-fs and @balena/dockerignore (11 more files), which dockerode needs only to pack a build context from a
// folder path: Gantry always hands buildImage its own tar stream (image-build.ts).
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

function stub(resolve: () => string, what: string): void {
  let filename: string;
  try {
    filename = resolve();
  } catch {
    return; // a dockerode without this file: nothing to replace
  }
  if (require.cache[filename]) return;
  const fail = (): never => {
    throw new Error(`${what} is not available in Gantry's build of dockerode (it was not loaded)`);
  };
  require.cache[filename] = {
    id: filename,
    filename,
    loaded: true,
    exports: fail,
    children: [],
    paths: [],
  } as unknown as NodeJS.Module;
}

let installed = false;

/** Put the stubs in place (once) so that requiring dockerode next loads none of those modules. */
export function installDockerodeStubs(): void {
  if (installed) return;
  installed = true;
  stub(() => require.resolve("dockerode/lib/session.js"), "dockerode's BuildKit session");
  const fromDockerode = createRequire(require.resolve("dockerode"));
  stub(() => fromDockerode.resolve("docker-modem/lib/ssh.js"), "docker-modem's ssh transport");
  stub(() => fromDockerode.resolve("tar-fs"), "dockerode's build context packing from a folder");
  stub(() => fromDockerode.resolve("@balena/dockerignore"), "dockerode's .dockerignore reading");
}
