// withNewFile's contents become a file entry in the store; shared by the root filesystem and mount sources.
import type { Session } from "../session.js";
import type { FileEntry } from "../../store/tree.js";

/** The entry a withNewFile call makes: its contents stored, its permissions as given. */
export async function newFileEntry(
  s: Session,
  contents: string,
  permissions: number,
): Promise<FileEntry> {
  const digest = await s.store.putBytes(contents);
  return { type: "file", mode: permissions, digest, size: Buffer.byteLength(contents) };
}
