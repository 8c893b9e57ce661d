// `owner: "user:group"` on a file op: numbers as given, names looked up in the image's own passwd and group files.
import type Dockerode from "dockerode";
import { NotFoundError } from "../../../errors.js";
import { readSmallFile } from "./container-archive.js";
import { idInDatabase, numericId, splitOwner } from "../../owner-spec.js";

export interface Owner {
  uid: number;
  gid: number;
}

export const ROOT_OWNER: Owner = { uid: 0, gid: 0 };

// Resolve against the container the files go into; a missing group means the same number as the user (docker's --chown rule).
export async function resolveOwner(
  container: Dockerode.Container | (() => Promise<Dockerode.Container>),
  owner: string | undefined,
): Promise<Owner> {
  if (!owner) return ROOT_OWNER;
  const { user, group } = splitOwner(owner);
  const uid = await lookupId(container, "/etc/passwd", user, owner);
  const gid =
    group === undefined || group === ""
      ? uid
      : await lookupId(container, "/etc/group", group, owner);
  return { uid, gid };
}

// A numeric id as is; a name through the third field of its line in passwd/group.
async function lookupId(
  container: Dockerode.Container | (() => Promise<Dockerode.Container>),
  file: string,
  name: string,
  owner: string,
): Promise<number> {
  const numeric = numericId(name);
  if (numeric !== undefined) return numeric;
  // a container is needed (and, given as a function, made) only for a name
  const from = typeof container === "function" ? await container() : container;
  const text = (await readSmallFile(from, file))?.toString("utf8") ?? "";
  const id = idInDatabase(text, name);
  if (id !== undefined) return id;
  throw new NotFoundError(
    `owner ${JSON.stringify(owner)}: no ${JSON.stringify(name)} in ${file} of the image`,
    {
      hint: "use numeric ids (e.g. 1000:1000) or add the user to the image first",
    },
  );
}
