// What the SDK puts into an "external" image node: a Dockerfile build or a tarball import, resolved by the images piece.
import type { DirectoryNode, FileNode, SecretNode } from "../nodes.js";

export interface BuildPayload {
  context: DirectoryNode;
  dockerfile: string;
  buildArgs: { name: string; value: string }[];
  target?: string;
  secrets: SecretNode[];
}

export interface ImportPayload {
  tarball: FileNode;
}
