// `systemPackages`: the Debian packages a project's dependencies need, installed with apt's caches in volumes.
import { CacheSharingMode, dag, type Container } from "../../sdk/index.js";

const APT_ARCHIVES = "/var/cache/apt/archives";
const APT_LISTS = "/var/lib/apt/lists";

/**
 * The shell line that installs `packages` unless dpkg already has them all, so an image that ships them needs
 * no network. Official images delete apt's downloads after each install (docker-clean); that file is removed so
 * the downloads stay in the cache volume. Where root cannot write /etc (the host runtime shows the host's own `/etc`
 * and package database, read-only), the packages missing are named, to install on the host; a non-root image user
 * gets apt's own error, as before.
 */
export function aptInstallCommand(packages: readonly string[]): string {
  const list = packages.map((p) => `'${p.replace(/'/g, "'\\''")}'`).join(" ");
  const missing =
    `for p in ${list}; do dpkg-query -W -f='\${Status}\\n' "$p" 2>/dev/null | grep -q '^install ok installed$'` +
    ` || printf '%s ' "$p"; done`;
  return (
    `missing=$(${missing}); missing=\${missing% }; if [ -z "$missing" ]; then echo "already installed: ${packages.join(" ")}";` +
    ` elif [ "$(id -u)" = 0 ] && [ ! -w /etc ]; then echo "system packages not installed: $missing (this system is read-only here:` +
    ` on the host runtime, install them on the host with apt-get install $missing, or run with --runtime=docker)" >&2;` +
    ` exit 100; else rm -f /etc/apt/apt.conf.d/docker-clean && apt-get update -q &&` +
    ` DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends ${list}; fi`
  );
}

/** `c` with the packages installed; apt's archives and lists are cache volumes mounted for that exec only. */
export function withSystemPackages(c: Container, packages: readonly string[]): Container {
  if (packages.length === 0) return c;
  const locked = { sharing: CacheSharingMode.Locked };
  return c
    .withMountedCache(APT_ARCHIVES, dag.cacheVolume("gantry-apt-archives"), locked)
    .withMountedCache(APT_LISTS, dag.cacheVolume("gantry-apt-lists"), locked)
    .withExec(["sh", "-c", aptInstallCommand(packages)])
    .withoutMount(APT_ARCHIVES)
    .withoutMount(APT_LISTS);
}
