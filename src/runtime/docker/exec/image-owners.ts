// Owners of files that go in before the exec's container exists (secret files): names looked up in the image.
import type Dockerode from "dockerode";
import { createFileContainer, removeContainer } from "./containers.js";
import { resolveOwner, type Owner } from "./owner.js";
import type { DockerRunContext } from "../connection/run-context.js";

export interface ImageOwners {
  of(owner: string | undefined): Promise<Owner>;
}

// resolveOwner reads passwd/group only for names; the never-started container it reads them from is made on the
// first name and removed once that lookup settles.
export function imageOwners(ctx: DockerRunContext, image: string): ImageOwners {
  const known = new Map<string, Promise<Owner>>();
  return {
    of(owner) {
      const key = owner ?? "";
      let p = known.get(key);
      if (!p) {
        let made: Dockerode.Container | undefined;
        const container = async () => (made ??= await createFileContainer(ctx, image));
        p = resolveOwner(container, owner).finally(() => made && removeContainer(made));
        known.set(key, p);
      }
      return p;
    },
  };
}
