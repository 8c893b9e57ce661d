// LLB as BuildKit v0.8 (Debian's dockerd 20.10) reads it: solver/pb/ops.proto field numbers, ops by sha256 digest.
import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import { bytes, map, msg, num, str, strs } from "./protobuf.mjs";

const PATH_ENV = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
export const PLATFORM = msg(10, str(1, "amd64"), str(2, "linux"));
export const input = (digest, index = 0) => msg(1, str(1, digest), num(2, index));

// Ops in dependency order plus a name per op (Definition.metadata description "llb.customname").
export class Graph {
  ops = [];
  names = {};
  add(op, name) {
    const d = `sha256:${createHash("sha256").update(op).digest("hex")}`;
    if (!this.ops.some((o) => o.d === d)) this.ops.push({ d, op });
    if (name) this.names[d] = name;
    return d;
  }
  // Definition{def=1 (marshalled Ops), metadata=2}; the last op has only an input: the result.
  definition(result, index = 0) {
    this.add(input(result, index));
    return Buffer.concat([
      ...this.ops.map((o) => bytes(1, o.op)),
      ...Object.entries(this.names).map(([d, n]) =>
        msg(2, str(1, d), msg(2, map(2, { "llb.customname": n }))),
      ),
    ]);
  }
}
export const sourceOp = (identifier, attrs) =>
  Buffer.concat([msg(3, str(1, identifier), map(2, attrs)), PLATFORM]);
// FileOp copy of `src` (secondary input) into `dest` of `base`, as the Dockerfile frontend writes COPY.
export const copyOp = (base, src, dest) =>
  Buffer.concat([
    input(base),
    input(src),
    msg(
      4,
      msg(
        2,
        num(2, 1),
        msg(4, str(1, "/"), str(2, dest), num(4, -1), num(5, 1), num(6, 1), num(8, 1), num(11, -1)),
      ),
    ),
    PLATFORM,
  ]);
// ExecOp{meta=1{args=1, env=2, cwd=3, extraHosts=6}, mounts=2, network=3 (0 sandbox, 2 none)}; extra mounts: {digest, dest, readonly, output} or a cache mount.
export function execOp(
  root,
  args,
  { env = [], cwd = "/", mounts = [], hosts = {}, network = 0 } = {},
) {
  const inputs = [root];
  const ms = [msg(2, str(3, "/"))];
  let out = 1;
  for (const m of mounts) {
    if (m.cache) {
      ms.push(msg(2, num(1, -1), str(3, m.dest), num(4, -1), num(6, 3), msg(20, str(1, m.cache))));
      continue;
    }
    const idx = m.digest ? inputs.push(m.digest) - 1 : -1;
    ms.push(msg(2, num(1, idx), str(3, m.dest), num(4, m.output ? out++ : -1), num(5, m.readonly)));
  }
  const extra = Object.entries(hosts).map(([h, ip]) => msg(6, str(1, h), str(2, ip)));
  const meta = msg(1, strs(1, args), strs(2, [PATH_ENV, ...env]), str(3, cwd), ...extra);
  return Buffer.concat([
    ...inputs.map((d) => input(d)),
    msg(2, meta, ...ms, num(3, network)),
    PLATFORM,
  ]);
}
