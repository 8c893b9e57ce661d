// Remove what carries given labels: containers first (they hold volumes and networks), then volumes, then networks.
import type Dockerode from "dockerode";
import { ignoreGone } from "../connection/docker-errors.js";
import { engineJson } from "../connection/engine-http.js";
import type { DockerEndpoint } from "../connection/socket-discovery.js";
import { LABELS, labelFilter } from "./labels.js";

export interface Removed {
  containers: number;
  volumes: number;
  networks: number;
}

/** Decides, from a resource's labels, whether it is to go (the reaper's "is its process dead?"). */
export type LabelTest = (labels: Record<string, string>) => boolean;

// The filters both the removal and its first look use: volumes only when temporary, so cache volumes never match.
function labelledFilters(labels: Record<string, string>) {
  return {
    filters: labelFilter(labels),
    volumeFilters: labelFilter({ ...labels, [LABELS.temp]: "true" }),
  };
}

// Remove the run's (or the reaper's) resources; cache volumes never match, they carry no temp label.
export async function removeLabelled(
  docker: Dockerode,
  labels: Record<string, string>,
  test: LabelTest = () => true,
): Promise<Removed> {
  const { filters, volumeFilters } = labelledFilters(labels);
  const sweep = async (): Promise<number> => {
    const found = (await docker.listContainers({ all: true, filters })).filter((c) =>
      test(c.Labels),
    );
    await Promise.all(
      found.map((c) => ignoreGone(docker.getContainer(c.Id).remove({ force: true, v: true }))),
    );
    return found.length;
  };
  let containers = await sweep();
  const volumes = ((await docker.listVolumes({ filters: volumeFilters })).Volumes ?? []).filter(
    (v) => test(v.Labels ?? {}),
  );
  await Promise.all(volumes.map((v) => ignoreGone(docker.getVolume(v.Name).remove())));
  const networks = (await docker.listNetworks({ filters })).filter((n) => test(n.Labels ?? {}));
  // A container created after the sweep listed them (an exec or a service start in flight when Ctrl-C came) keeps
  // the network in use ("has active endpoints"), and the network stayed behind: sweep again and retry, a few times.
  for (let attempt = 1; ; attempt++) {
    const left = await Promise.allSettled(
      networks.map((n) => ignoreGone(docker.getNetwork(n.Id).remove())),
    );
    const failed = left.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (!failed) break;
    const inUse = /active endpoints/i.test(String((failed.reason as Error)?.message ?? ""));
    if (!inUse || attempt >= NETWORK_ATTEMPTS) throw failed.reason;
    await new Promise((r) => setTimeout(r, 200 * attempt));
    containers += await sweep();
  }
  return { containers, volumes: volumes.length, networks: networks.length };
}

/** How often a network still in use is retried after sweeping its late containers (~3 s in all). */
const NETWORK_ATTEMPTS = 6;

/**
 * Whether removeLabelled would find anything, asked with three plain requests (no dockerode): most runs' reaper
 * finds nothing, and then never loads the client.
 */
export async function anyLabelled(
  endpoint: DockerEndpoint,
  labels: Record<string, string>,
  test: LabelTest = () => true,
): Promise<boolean> {
  const q = (f: { label: string[] }): string => encodeURIComponent(JSON.stringify(f));
  const all = labelledFilters(labels);
  const [filters, volumeFilters] = [q(all.filters), q(all.volumeFilters)];
  type Labelled = { Labels?: Record<string, string> | null };
  const [containers, volumes, networks] = await Promise.all([
    engineJson<Labelled[]>(endpoint, `/containers/json?all=1&filters=${filters}`),
    engineJson<{ Volumes?: Labelled[] | null }>(endpoint, `/volumes?filters=${volumeFilters}`),
    engineJson<Labelled[]>(endpoint, `/networks?filters=${filters}`),
  ]);
  return [...(containers ?? []), ...(volumes?.Volumes ?? []), ...(networks ?? [])].some((o) =>
    test(o.Labels ?? {}),
  );
}
