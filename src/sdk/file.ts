// A file value: lazily read out of a directory, a container or the host.
import path from "node:path";
import { mkdir, rename, writeFile } from "node:fs/promises";
import type { FileNode } from "../engine/nodes.js";
import { requireSession } from "../engine/session.js";
import { evaluateFile } from "../engine/evaluate/directory.js";
import { digestOf } from "../engine/digest.js";

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
    const s = requireSession("File.contents");
    const { entry } = await evaluateFile(s, this._node);
    return (await s.store.readBlob(entry.digest)).toString("utf8");
  }

  async size(): Promise<number> {
    const s = requireSession("File.size");
    return (await evaluateFile(s, this._node)).entry.size;
  }

  async name(): Promise<string> {
    const s = requireSession("File.name");
    return (await evaluateFile(s, this._node)).name;
  }

  /** Content digest (contents and mode), stable across runs. */
  async digest(): Promise<string> {
    const s = requireSession("File.digest");
    const { entry } = await evaluateFile(s, this._node);
    return digestOf({ file: entry.digest, mode: entry.mode });
  }

  /** Write the file to a host path (relative to the current directory); returns the absolute path. */
  async export(dest: string): Promise<string> {
    const s = requireSession("File.export");
    const { entry } = await evaluateFile(s, this._node);
    const abs = path.resolve(s.cwd, dest);
    await mkdir(path.dirname(abs), { recursive: true });
    const tmp = abs + ".gantry-tmp";
    await writeFile(tmp, await s.store.readBlob(entry.digest), { mode: entry.mode });
    await rename(tmp, abs);
    return abs;
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
