// Image references as Docker reads them: which registry a ref goes to, and the tag a bare name gets.
import { UsageError } from "../../errors.js";

/** Docker Hub's names for itself; credentials for any of them apply to all. */
const DOCKER_HUB = new Set(["docker.io", "index.docker.io", "registry-1.docker.io"]);
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;

export interface PublishRef {
  /** The registry host (`127.0.0.1:5000`, `ghcr.io`), `docker.io` for Docker Hub. */
  registry: string;
  /** The ref to push, always with a tag: `127.0.0.1:5000/app:latest`. */
  ref: string;
}

// Check a publish address and give it a tag (`latest`, as `docker push` does) when it has none.
export function parsePublishRef(address: string): PublishRef {
  const bad = (why: string) =>
    new UsageError(`cannot publish to ${JSON.stringify(address)}: ${why}`, {
      hint: "use host[:port]/path/name[:tag], e.g. 127.0.0.1:5000/team/app:1.0 or ghcr.io/org/app",
    });
  if (address.includes("@"))
    throw bad("a digest reference names existing content; publish to a tag");
  const slash = address.lastIndexOf("/");
  const colon = address.lastIndexOf(":");
  const hasTag = colon > slash;
  const name = hasTag ? address.slice(0, colon) : address;
  const tag = hasTag ? address.slice(colon + 1) : "latest";
  if (!TAG.test(tag)) throw bad(`tag ${JSON.stringify(tag)} is not a valid tag`);
  const registry = registryOf(name);
  const path = hasRegistry(name) ? name.slice(name.indexOf("/") + 1) : name;
  for (const part of path.split("/")) {
    if (!COMPONENT.test(part))
      throw bad(
        `${JSON.stringify(part)} is not a valid name component (lower case letters, digits, . _ -)`,
      );
  }
  return { registry, ref: `${name}:${tag}` };
}

// Docker's rule: the first component is a registry when it has a "." or ":" or is "localhost"; else Docker Hub.
export function registryOf(name: string): string {
  return hasRegistry(name) ? canonicalRegistry(name.slice(0, name.indexOf("/"))) : "docker.io";
}

// An address given to withRegistryAuth ("ghcr.io", "https://index.docker.io/v1/", "127.0.0.1:5000/team") as a host.
export function registryOfAddress(address: string): string {
  const bare = address.trim().replace(/^[a-z]+:\/\//i, "");
  const first = bare.split("/")[0] ?? "";
  if (!bare.includes("/")) return canonicalRegistry(first);
  return hasRegistry(bare) ? canonicalRegistry(first) : "docker.io";
}

// Whether a name starts with a registry host component (the part before the first "/").
function hasRegistry(name: string): boolean {
  const slash = name.indexOf("/");
  if (slash < 0) return false;
  const first = name.slice(0, slash);
  return first.includes(".") || first.includes(":") || first === "localhost";
}

// Hosts compare case-insensitively, and Docker Hub answers to several names.
function canonicalRegistry(host: string): string {
  const h = host.toLowerCase();
  return DOCKER_HUB.has(h) ? "docker.io" : h;
}
