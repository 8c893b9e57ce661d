// Writing protocol buffers for LLB and the control API: varints as 64-bit two's complement (so -1, LLB's "no
// input"/"no output", encodes as Go writes it), length-delimited fields, string maps. Zero values are left out, as
// proto3 does; reading uses protobuf-lite.ts.

const NOTHING = Buffer.alloc(0);

function varint(n: number | bigint): Buffer {
  let v = BigInt.asUintN(64, BigInt(n));
  const out: number[] = [];
  for (; v > 0x7fn; v >>= 7n) out.push(Number(v & 0x7fn) | 0x80);
  out.push(Number(v));
  return Buffer.from(out);
}

/** A varint field; 0 and false are left out. */
export function num(no: number, n: number | bigint | boolean | undefined): Buffer {
  if (!n) return NOTHING;
  return Buffer.concat([varint(no * 8), varint(n === true ? 1 : n)]);
}

/** A length-delimited field, written even when empty. */
export function bytes(no: number, b: Buffer): Buffer {
  return Buffer.concat([varint(no * 8 + 2), varint(b.length), b]);
}

/** A string field; "" and undefined are left out. */
export function str(no: number, s: string | undefined): Buffer {
  return s ? bytes(no, Buffer.from(s, "utf8")) : NOTHING;
}

/** A nested message made of `parts`. */
export function msg(no: number, ...parts: Buffer[]): Buffer {
  return bytes(no, Buffer.concat(parts));
}

/** A repeated string field, every element written (an empty string too). */
export function strs(no: number, list: readonly string[]): Buffer {
  return Buffer.concat(list.map((s) => bytes(no, Buffer.from(s, "utf8"))));
}

/** A map<string, string> field, keys sorted so the same map always gives the same bytes (op digests). */
export function strMap(no: number, obj: Readonly<Record<string, string>>): Buffer {
  return Buffer.concat(
    Object.keys(obj)
      .sort()
      .map((k) => msg(no, str(1, k), str(2, obj[k]))),
  );
}
