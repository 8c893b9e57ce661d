// The checks of `gantry doctor`, each a status, what was found, and what to do about a problem.
import type { GantryEnv } from "../../env.js";
import type { DockerFacts, SandboxFacts } from "../../runtime/diagnose.js";
import type { RuntimeChoice } from "../global-flags.js";

export interface Check {
  status: "ok" | "warn" | "fail";
  name: string;
  found: string;
  fix?: string;
}

const GiB = 1024 ** 3;
const MIN_FREE = 5 * GiB;

function gib(n: number): string {
  return `${(n / GiB).toFixed(n < 10 * GiB ? 1 : 0)} GiB`;
}

/** Node ≥ 20, which Gantry needs. */
export function nodeCheck(version: string): Check {
  const major = Number(/^v(\d+)/.exec(version)?.[1] ?? 0);
  return major >= 20
    ? { status: "ok", name: "node", found: version }
    : { status: "fail", name: "node", found: version, fix: "install Node.js 20 or later" };
}

/** Which runtime a run would use, and why — the same decision `openRuntime` makes. */
export function runtimeCheck(
  choice: RuntimeChoice,
  engine: { facts?: DockerFacts; problem?: string },
  sandbox: { bubblewrap: boolean },
  asked: string,
): Check {
  const hostMode = sandbox.bubblewrap ? "host (bubblewrap sandbox)" : "host (plain processes)";
  if (choice === "host")
    return { status: "ok", name: "runtime", found: `${hostMode}: asked for by ${asked}` };
  if (engine.facts)
    return {
      status: "ok",
      name: "runtime",
      found: `docker: engine at ${engine.facts.address} (from ${engine.facts.source})`,
    };
  if (choice === "docker")
    return {
      status: "fail",
      name: "runtime",
      found: `docker was asked for by ${asked}, and ${engine.problem ?? "no engine answered"}`,
      fix: "start Docker (or Podman's socket), set DOCKER_HOST, or run with --runtime=host",
    };
  return {
    status: "warn",
    name: "runtime",
    found: `${hostMode}: no engine answered (${engine.problem ?? "unknown"})`,
    fix: "for container runs, start Docker or set DOCKER_HOST; until then steps run on this machine, with its own tools",
  };
}

/** The engine's version and API; old engines miss what Gantry relies on. */
export function engineCheck(f: DockerFacts): Check {
  const found = `${f.product} ${f.version}, API ${f.apiVersion}, ${f.os}/${f.arch}${f.storageDriver ? `, storage ${f.storageDriver}` : ""}${f.isLocal ? "" : ", remote"}`;
  const [maj = 0, min = 0] = f.apiVersion.split(".").map(Number);
  if (maj === 1 && min < 41)
    return {
      status: "warn",
      name: "engine",
      found,
      fix: "upgrade to Docker 20.10 (API 1.41) or later: older engines lack features Gantry uses",
    };
  return { status: "ok", name: "engine", found };
}

/** BuildKit's control API on the engine (POST /grpc): what `docker build` and a BuildKit runtime use. */
export function buildkitCheck(f: DockerFacts): Check {
  if (f.buildkit.available)
    return {
      status: "ok",
      name: "buildkit",
      found: `the engine serves BuildKit at POST /grpc (${f.buildkit.workers} worker${f.buildkit.workers === 1 ? "" : "s"})`,
    };
  return {
    status: "warn",
    name: "buildkit",
    found: `not available: ${f.buildkit.reason}`,
    fix:
      f.product === "Podman"
        ? "Podman has no BuildKit API: Dockerfile builds go through its own builder"
        : "use Docker 23 or later (BuildKit is built in), or check that the daemon's `features.buildkit` is not false",
  };
}

/** Room for the cache: the state dir's disk, and the engine's when it is on this machine. */
export function diskChecks(
  env: GantryEnv,
  state?: { path: string; free: number; total: number },
  engineDisk?: { path: string; free: number; total: number },
): Check[] {
  const out: Check[] = [];
  const one = (
    what: string,
    d: { path: string; free: number; total: number },
    fix: string,
  ): Check => {
    const found = `${what} ${d.path}: ${gib(d.free)} free of ${gib(d.total)}`;
    const low = d.free < MIN_FREE || d.free < d.total * 0.05;
    return low
      ? { status: "warn", name: "disk", found, fix }
      : { status: "ok", name: "disk", found };
  };
  if (state)
    out.push(
      one(
        "state dir",
        state,
        `free space, or move Gantry's state elsewhere with GANTRY_STATE_DIR (now ${env.stateDir})`,
      ),
    );
  else
    out.push({
      status: "warn",
      name: "disk",
      found: `cannot read the free space under ${env.stateDir}`,
      fix: "check that the folder (GANTRY_STATE_DIR) is on a mounted, readable filesystem",
    });
  if (engineDisk)
    out.push(
      one(
        "engine storage",
        engineDisk,
        "remove Gantry's old snapshots: docker image prune -a --filter label=gantry.managed=true",
      ),
    );
  return out;
}

/** bubblewrap for the host runtime: container paths over a read-only host root. */
export function sandboxCheck(
  s: SandboxFacts & { /** GANTRY_HOST_OVERLAY=0 */ overlayOff?: boolean },
): Check {
  if (s.bubblewrap)
    return {
      status: "ok",
      name: "bubblewrap",
      found: s.overlayOff
        ? "works: host-runtime steps run sandboxed, each over a copy of its files (GANTRY_HOST_OVERLAY=0)"
        : s.overlay
          ? "works: host-runtime steps run sandboxed, each over an overlay of its files (GANTRY_HOST_OVERLAY=0: copies)"
          : "works: host-runtime steps run sandboxed, each over a copy of its files (no overlay can be mounted here: " +
            "Linux ≥ 5.11 and a state dir not itself on an overlay make big trees faster)",
    };
  const missing = /not installed/.test(s.reason ?? "");
  return {
    status: "warn",
    name: "bubblewrap",
    found: `not usable (${s.reason ?? "unknown"}): host-runtime steps run as plain processes`,
    fix: missing
      ? "install it: apt-get install bubblewrap (Debian/Ubuntu), dnf install bubblewrap (Fedora), apk add bubblewrap (Alpine)"
      : "allow unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1; on Ubuntu 24.04 also kernel.apparmor_restrict_unprivileged_userns=0), or run in containers with --runtime=docker",
  };
}
