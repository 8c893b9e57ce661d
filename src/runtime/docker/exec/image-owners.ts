// Owners of files that go in before the exec's container exists (secret files): names looked up in the image.
import { createFileContainer, removeContainer } from "./containers.js";
import { resolveOwner, ROOT_OWNER, type Owner } from "./owner.js";
import type { DockerRunContext } from "../connection/run-context.js";

export interface ImageOwners {
  of(owner: string | undefined): Promise<Owner>;
}

// Numbers need no lookup; a name costs one never-started container from the image, made once per exec.
export function imageOwners(ctx: DockerRunContext, image: string): ImageOwners {
  const known = new Map<string, Promise<Owner>>();
  return {
    of(owner) {
      if (!owner) return Promise.resolve(ROOT_OWNER);
      const [user = "", group] = owner.split(":", 2);
      if (/^\d+$/.test(user) && (group === undefined || group === "" || /^\d+$/.test(group))) {
        const uid = Number(user);
        return Promise.resolve({ uid, gid: group ? Number(group) : uid });
      }
      let p = known.get(owner);
      if (!p) {
        p = (async () => {
          const container = await createFileContainer(ctx, image);
          try {
            return await resolveOwner(container, owner);
          } finally {
            await removeContainer(container);
          }
        })();
        known.set(owner, p);
      }
      return p;
    },
  };
}
