// Just enough protocol buffers for the BuildKit session and trace messages Gantry reads and writes: varints and
// length-delimited fields. Unknown fields are skipped, as protobuf requires.

export interface PbField {
  no: number;
  /** Wire type 0 (varint) as a number; 1/5 (fixed) as raw bytes; 2 (length-delimited) as bytes. */
  value: number | Buffer;
}

/** Decode a message into its top-level fields, in order. Throws on truncated input. */
export function decodeFields(buf: Buffer): PbField[] {
  const out: PbField[] = [];
  let pos = 0;
  const varint = (): number => {
    let result = 0;
    let shift = 0;
    for (;;) {
      if (pos >= buf.length) throw new Error("protobuf: truncated varint");
      const b = buf[pos++] as number;
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
      shift += 7;
      if (shift > 63) throw new Error("protobuf: varint too long");
    }
  };
  while (pos < buf.length) {
    const key = varint();
    const no = Math.floor(key / 8);
    const wire = key & 7;
    if (wire === 0) out.push({ no, value: varint() });
    else if (wire === 2) {
      const len = varint();
      if (pos + len > buf.length) throw new Error("protobuf: truncated field");
      out.push({ no, value: buf.subarray(pos, pos + len) });
      pos += len;
    } else if (wire === 1 || wire === 5) {
      const len = wire === 1 ? 8 : 4;
      out.push({ no, value: buf.subarray(pos, pos + len) });
      pos += len;
    } else throw new Error(`protobuf: unsupported wire type ${wire}`);
  }
  return out;
}

export function fieldString(fields: PbField[], no: number): string | undefined {
  const f = fields.find((x) => x.no === no && Buffer.isBuffer(x.value));
  return f ? (f.value as Buffer).toString("utf8") : undefined;
}

export function fieldBytes(fields: PbField[], no: number): Buffer[] {
  return fields
    .filter((x) => x.no === no && Buffer.isBuffer(x.value))
    .map((x) => x.value as Buffer);
}

function encodeVarint(n: number): Buffer {
  const bytes: number[] = [];
  while (n > 0x7f) {
    bytes.push((n % 128) | 0x80);
    n = Math.floor(n / 128);
  }
  bytes.push(n);
  return Buffer.from(bytes);
}

/** One length-delimited field (strings, bytes, nested messages). */
export function encodeBytesField(no: number, value: Buffer): Buffer {
  return Buffer.concat([encodeVarint(no * 8 + 2), encodeVarint(value.length), value]);
}

/** One varint field (enums, ints, bools). */
export function encodeVarintField(no: number, value: number): Buffer {
  return Buffer.concat([encodeVarint(no * 8), encodeVarint(value)]);
}
