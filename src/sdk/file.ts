// A file value: lazily read out of a directory, a container or the host.
import * as engine from "../engine/api/index.js";
import type { FileNode } from "../engine/api/index.js";

/**
 * @example
 * const pkg = await dag.host().directory(".").file("package.json").contents()
 */
export class File {
  /** @internal */
  readonly _node: FileNode;

  /** @internal */
  constructor(node: FileNode) {
    this._node = node;
    Object.freeze(this);
  }

  async contents(): Promise<string> {
    return engine.fileContents(this._node);
  }

  async size(): Promise<number> {
    return engine.fileSize(this._node);
  }

  async name(): Promise<string> {
    return engine.fileName(this._node);
  }

  /** Content digest (contents and mode), stable across runs. */
  async digest(): Promise<string> {
    return engine.fileDigest(this._node);
  }

  /** Write the file to a host path (relative to the current directory); returns the absolute path. */
  async export(dest: string): Promise<string> {
    return engine.exportFile(this._node, dest);
  }

  /** Force evaluation; returns the same file. */
  async sync(): Promise<File> {
    await engine.fileSize(this._node);
    return this;
  }

  /** Gantry's trees hold no timestamps: the same file. */
  withTimestamps(_timestamp: number): File {
    return this;
  }

  /** The same contents under another name (when placed into a directory by name). */
  withName(name: string): File {
    return new File({
      op: "dirFile",
      dir: { op: "withFile", base: { op: "scratch" }, path: name, file: this._node },
      path: name,
    });
  }
}
