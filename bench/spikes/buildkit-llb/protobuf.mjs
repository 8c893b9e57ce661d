// Just enough protocol buffers for the BuildKit spike: write LLB and SolveRequest, read StatusResponse.
import { Buffer } from "node:buffer";

export const EMPTY = Buffer.alloc(0);
// Varints as 64-bit two's complement, so int64/int32 -1 (SkipOutput, "mode unset") encode as Go writes them.
export function varint(n) {
  let v = BigInt.asUintN(64, BigInt(n));
  const out = [];
  for (; v > 0x7fn; v >>= 7n) out.push(Number(v & 0x7fn) | 0x80);
  out.push(Number(v));
  return Buffer.from(out);
}
export const num = (no, n) =>
  !n ? EMPTY : Buffer.concat([varint(no * 8), varint(n === true ? 1 : n)]);
export const bytes = (no, b) => Buffer.concat([varint(no * 8 + 2), varint(b.length), b]);
export const str = (no, s) => (s ? bytes(no, Buffer.from(s)) : EMPTY);
export const msg = (no, ...parts) => bytes(no, Buffer.concat(parts));
export const strs = (no, list) => Buffer.concat(list.map((s) => bytes(no, Buffer.from(s))));
export const map = (no, obj = {}) =>
  Buffer.concat(
    Object.keys(obj)
      .sort()
      .map((k) => msg(no, str(1, k), str(2, obj[k]))),
  );

// Top-level fields of a message; varints as BigInt, length-delimited as Buffer.
export function decode(buf) {
  const out = [];
  let pos = 0;
  const rd = () => {
    let r = 0n;
    for (let s = 0n; ; s += 7n) {
      const b = buf[pos++];
      r |= BigInt(b & 0x7f) << s;
      if (!(b & 0x80)) return r;
    }
  };
  while (pos < buf.length) {
    const k = Number(rd());
    const [no, wt] = [k >> 3, k & 7];
    if (wt === 0) out.push({ no, v: rd() });
    else if (wt === 2 || wt === 1 || wt === 5) {
      const n = wt === 2 ? Number(rd()) : wt === 1 ? 8 : 4;
      out.push({ no, v: buf.subarray(pos, pos + n) });
      pos += n;
    } else throw new Error(`protobuf: wire type ${wt}`);
  }
  return out;
}
export const one = (f, no) => f.find((x) => x.no === no)?.v;
export const all = (f, no) => f.filter((x) => x.no === no).map((x) => x.v);
export const millis = (b) => {
  if (!b) return undefined;
  const f = decode(b);
  return Number(one(f, 1) ?? 0n) * 1000 + Number(one(f, 2) ?? 0n) / 1e6;
};
