// Cache mounts are named volumes that outlive runs; the shared policy (runtime/cache-sharing.ts) decides who uses which.
import { cacheVolumeName } from "./cache-volume-name.js";
import type { CacheSharing } from "../../runtime.js";
import { CacheSharingPolicy } from "../../cache-sharing.js";
import { isNotFound } from "../connection/docker-errors.js";
import { LABELS } from "../cleanup/labels.js";
import type { DockerRunContext } from "../connection/run-context.js";

export interface AcquiredVolume {
  volume: string;
  /** Created just now: the cache's `source` tree, if any, must be copied in. */
  fresh: boolean;
  release(): void;
}

export { cacheVolumeName };

/** One per runtime: the sharing policy is the one both runtimes use; here cache volumes are named docker volumes. */
export class CacheVolumes {
  private readonly policy: CacheSharingPolicy<string>;
  private copies = 0;

  constructor(private readonly ctx: DockerRunContext) {
    this.policy = new CacheSharingPolicy({
      lockFile: (v) => ctx.store.lockPath(`cache-docker-${v}`),
    });
  }

  // The volume (or a PRIVATE copy) for one exec; `fresh` when created now, so the caller seeds it.
  async acquire(
    cache: string,
    sharing: CacheSharing,
    signal: AbortSignal,
  ): Promise<AcquiredVolume> {
    const name = cacheVolumeName(cache);
    const use = await this.policy.acquire(name, sharing, signal, {
      open: async () => ({
        handle: name,
        fresh: await this.ensureVolume(name, {
          ...this.ctx.ownerLabels,
          [LABELS.managed]: "true",
          [LABELS.cache]: cache,
        }),
      }),
      copy: () => this.createCopy(cache, name),
    });
    return { volume: use.handle, fresh: use.fresh, release: use.release };
  }

  // A PRIVATE copy: labelled with the run (and temporary), so close() removes it.
  private async createCopy(cache: string, name: string): Promise<string> {
    const volume = `${name}-${this.ctx.runId}-${++this.copies}`.slice(0, 255);
    await this.ensureVolume(volume, {
      ...this.ctx.labels,
      [LABELS.temp]: "true",
      [LABELS.cache]: cache,
    });
    return volume;
  }

  // Create the volume if missing; true when this call created it.
  private async ensureVolume(volume: string, labels: Record<string, string>): Promise<boolean> {
    try {
      await this.ctx.docker.getVolume(volume).inspect();
      return false;
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    await this.ctx.docker.createVolume({ Name: volume, Labels: labels });
    return true;
  }
}
