// BuildKit trace messages, encoded here the way BuildKit encodes them, become step lines and a failure that names the
// failed instruction and its last output.
import { describe, expect, it } from "vitest";
import { BuildKitTranscript } from "../../src/runtime/docker/images/buildkit-trace.js";
import {
  decodeFields,
  encodeBytesField,
  encodeVarintField,
  fieldString,
} from "../../src/runtime/docker/images/protobuf-lite.js";

const str = (no: number, s: string): Buffer => encodeBytesField(no, Buffer.from(s));
const timestamp = encodeBytesField(1, encodeVarintField(1, 1_764_000_000));

function vertex(
  digest: string,
  name: string,
  opts: { started?: boolean; completed?: boolean; error?: string } = {},
) {
  return encodeBytesField(
    1,
    Buffer.concat([
      str(1, digest),
      str(3, name),
      ...(opts.started ? [encodeBytesField(5, timestamp)] : []),
      ...(opts.completed ? [encodeBytesField(6, timestamp)] : []),
      ...(opts.error ? [str(7, opts.error)] : []),
    ]),
  );
}

const log = (digest: string, text: string): Buffer =>
  encodeBytesField(3, Buffer.concat([str(1, digest), encodeVarintField(3, 1), str(4, text)]));

const aux = (...parts: Buffer[]): string => Buffer.concat(parts).toString("base64");

describe("protobuf-lite", () => {
  it("round-trips strings and varints, large ones included, and skips nothing it reads", () => {
    const msg = Buffer.concat([
      str(1, "secret-id"),
      encodeVarintField(2, 300),
      encodeVarintField(3, 2 ** 40),
    ]);
    const fields = decodeFields(msg);
    expect(fieldString(fields, 1)).toBe("secret-id");
    expect(fields.map((f) => f.value)).toEqual([expect.any(Buffer), 300, 2 ** 40]);
  });

  it("rejects truncated input instead of reading past it", () => {
    const msg = str(1, "abcdef").subarray(0, 4);
    expect(() => decodeFields(msg)).toThrow("protobuf: truncated field");
  });
});

describe("BuildKitTranscript", () => {
  it("prints each step once, its output by line (also split across messages), and how it ended", () => {
    const lines: string[] = [];
    const t = new BuildKitTranscript((text) => lines.push(text));
    t.push(aux(vertex("sha256:a", "[1/2] FROM base", { started: true, completed: true })));
    t.push(aux(vertex("sha256:b", "[2/2] RUN make", { started: true }), log("sha256:b", "compil")));
    t.push(aux(log("sha256:b", "ing\nlinking\n")));
    t.push(aux(vertex("sha256:b", "[2/2] RUN make", { started: true, completed: true })));
    expect(lines.join("")).toBe(
      "#1 [1/2] FROM base\n#1 DONE\n#2 [2/2] RUN make\n#2 compiling\n#2 linking\n#2 DONE\n",
    );
  });

  it("names the failed instruction and its last lines in the error", () => {
    const t = new BuildKitTranscript(() => undefined);
    t.push(
      aux(
        vertex("sha256:b", "[2/2] RUN npm test", { started: true }),
        log("sha256:b", "1 passing\n2 failing"),
      ),
    );
    t.push(
      aux(
        vertex("sha256:b", "[2/2] RUN npm test", {
          started: true,
          completed: true,
          error: "exit code: 1",
        }),
      ),
    );
    const err = t.failure("Dockerfile", "process did not complete successfully: exit code: 1");
    expect(err.message).toBe(
      "image build of Dockerfile failed at [2/2] RUN npm test: process did not complete successfully: exit code: 1\n" +
        "last output:\n  1 passing\n  2 failing",
    );
  });
});
