// Image builds, imports, tarballs and publishing as the SDK calls them; the images piece fills these in.
import type { ContainerState, DirectoryNode, FileNode, SecretNode } from "../nodes.js";
import type { Session } from "../session.js";
import { UnsupportedError } from "../../errors.js";
import type { FileEntry } from "../../store/tree.js";

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

export type PublishFn = (s: Session, state: ContainerState, ref: string) => Promise<string>;
export type TarballFn = (
  s: Session,
  state: ContainerState,
) => Promise<{ entry: FileEntry; name: string }>;

let publishImpl: PublishFn | undefined;
let tarballImpl: TarballFn | undefined;

/** Installed by the images piece at load. */
export function setImageImpls(impls: { publish: PublishFn; tarball: TarballFn }): void {
  publishImpl = impls.publish;
  tarballImpl = impls.tarball;
}

export function publishContainer(s: Session, state: ContainerState, ref: string): Promise<string> {
  if (!publishImpl)
    throw new UnsupportedError("Container.publish is not available in this build of Gantry");
  return publishImpl(s, state, ref);
}

export function containerTarball(
  s: Session,
  state: ContainerState,
): Promise<{ entry: FileEntry; name: string }> {
  if (!tarballImpl)
    throw new UnsupportedError("Container.asTarball is not available in this build of Gantry");
  return tarballImpl(s, state);
}
