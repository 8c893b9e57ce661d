// LLB as dockerd's BuildKit (v0.8 in Docker 20.10, and later) reads it: solver/pb/ops.proto's field numbers. An op's
// digest is sha256 of its marshalled bytes; a Definition lists the ops and names the result with a last op that
// has only an input.
import { createHash } from "node:crypto";
import { bytes, msg, num, str, strMap, strs } from "./pb-write.js";

/** LLB's "none" for an input or output index. */
export const NONE = -1;

/** Op.platform (field 10): the base image's, set on every op as the Dockerfile frontend does. */
export function platformMessage(p: { os: string; architecture: string; variant?: string }): Buffer {
  return msg(10, str(1, p.architecture), str(2, p.os), str(3, p.variant));
}

/** An edge to output `index` of the op with `digest`. */
export interface Ref {
  digest: string;
  index: number;
}

function input(ref: Ref): Buffer {
  return msg(1, str(1, ref.digest), num(2, ref.index));
}

/** Ops in dependency order, each once, with a name per op where given (OpMetadata's description). */
export class Graph {
  private readonly ops: { digest: string; op: Buffer }[] = [];

  /** `platform` (platformMessage) is appended to every op added. */
  constructor(private readonly platform: Buffer) {}
  private readonly names = new Map<string, string>();

  add(body: Buffer, name?: string): Ref {
    const op = Buffer.concat([body, this.platform]);
    const digest = `sha256:${createHash("sha256").update(op).digest("hex")}`;
    if (!this.ops.some((o) => o.digest === digest)) this.ops.push({ digest, op });
    if (name) this.names.set(digest, name);
    return { digest, index: 0 };
  }

  /** Definition{def=1, metadata=2} with `result` as what the solve makes. */
  definition(result: Ref): Buffer {
    const defs = [...this.ops.map((o) => o.op), input(result)];
    const metadata = [...this.names].map(([digest, name]) =>
      msg(2, str(1, digest), msg(2, strMap(2, { "llb.customname": name }))),
    );
    return Buffer.concat([...defs.map((d) => bytes(1, d)), ...metadata]);
  }
}

/** A source: `docker-image://NAME` or `local://NAME`, with its attrs. */
export function sourceOp(identifier: string, attrs: Readonly<Record<string, string>> = {}): Buffer {
  return Buffer.concat([msg(3, str(1, identifier), strMap(2, attrs))]);
}

/** `uid[:gid]` as a FileOp owner; undefined keeps the source's (root, as Gantry sends files). */
function chown(owner: { uid: number; gid: number } | undefined): Buffer {
  if (!owner || (owner.uid === 0 && owner.gid === 0)) return Buffer.alloc(0);
  // UserOpt's byID is in a oneof: written even when 0
  const byId = (id: number) => Buffer.concat([Buffer.from([2 << 3]), uvarint(id)]);
  return msg(3, msg(1, byId(owner.uid)), msg(2, byId(owner.gid)));
}

function uvarint(n: number): Buffer {
  const out: number[] = [];
  for (; n > 0x7f; n = Math.floor(n / 128)) out.push((n % 128) | 0x80);
  out.push(n);
  return Buffer.from(out);
}

/** Copy the whole of `src` into directory `dest` of `base` (created if missing), as `docker cp` merges. */
export function copyIntoOp(
  base: Ref,
  src: Ref,
  dest: string,
  timeNs: bigint,
  owner?: { uid: number; gid: number },
): Buffer {
  const copy = msg(
    4,
    str(1, "/"),
    str(2, dest),
    chown(owner),
    num(4, NONE), // keep the source's modes
    num(5, true), // follow a symlink given as src (the root is none)
    num(6, true), // the directory's contents, not the directory
    num(8, true), // make dest and its parents
    num(11, timeNs), // every file's time
  );
  const action = msg(2, num(1, 0), num(2, 1), num(3, 0), copy);
  return Buffer.concat([input(base), input(src), msg(4, action)]);
}

/**
 * `meta` with nothing added, but reading `other` too: BuildKit keeps in its cache only the outputs a solve asked for,
 * so a solve for an exec's output 1 that must also keep its output 0 asks for this (a copy of a wildcard that
 * matches nothing).
 */
export function alsoKeepOp(meta: Ref, other: Ref): Buffer {
  const copy = msg(
    4,
    str(1, "/.gantry-nothing-*"),
    str(2, "/"),
    num(4, NONE),
    num(9, true), // allowWildcard
    num(10, true), // allowEmptyWildcard
    num(11, NONE),
  );
  const action = msg(2, num(1, 0), num(2, 1), num(3, 0), copy);
  return Buffer.concat([input(meta), input(other), msg(4, action)]);
}

/** Make directory `path` of `base` and its parents, root's with mode 0755 where missing. */
export function mkdirOp(base: Ref, path: string): Buffer {
  const mkdir = msg(6, str(1, path), num(2, 0o755), num(3, true), num(5, NONE));
  const action = msg(2, num(1, 0), num(2, NONE), num(3, 0), mkdir);
  return Buffer.concat([input(base), msg(4, action)]);
}

/** Remove `path` of `base`; missing is fine. */
export function rmOp(base: Ref, path: string): Buffer {
  const rm = msg(7, str(1, path), num(2, true));
  const action = msg(2, num(1, 0), num(2, NONE), num(3, 0), rm);
  return Buffer.concat([input(base), msg(4, action)]);
}

export type ExecMount =
  | { kind: "scratch"; dest: string; output: number }
  | { kind: "tmpfs"; dest: string }
  /** `ref` read-only at `dest` (a further input of the exec). */
  | { kind: "readonly"; dest: string; ref: Ref };

/** Run `args` on `root` (output 0 is the root after); extra mounts after it, a scratch mount as a further output. */
export function execOp(
  root: Ref,
  meta: { args: string[]; env: string[]; cwd: string; user: string },
  mounts: readonly ExecMount[],
): Buffer {
  const rootMount = msg(2, num(1, 0), str(3, "/"), num(4, 0));
  const inputs = [input(root)];
  const more = mounts.map((m) => {
    if (m.kind === "scratch") return msg(2, num(1, NONE), str(3, m.dest), num(4, m.output));
    if (m.kind === "tmpfs") return msg(2, num(1, NONE), str(3, m.dest), num(4, NONE), num(6, 4));
    inputs.push(input(m.ref));
    // Mount{input=1, selector=2, dest=3, output=4, readonly=5}
    return msg(2, num(1, inputs.length - 1), str(3, m.dest), num(4, NONE), num(5, true));
  });
  const metaMsg = msg(
    1,
    strs(1, meta.args),
    strs(2, meta.env),
    str(3, meta.cwd),
    str(4, meta.user),
  );
  return Buffer.concat([...inputs, msg(2, metaMsg, rootMount, ...more)]);
}
