// The scrubber masks a secret, its lines, and the encodings a step may print it in.
import { describe, expect, it } from "vitest";
import { LineScrubber, Scrubber } from "../../src/engine/scrubber.js";

const VALUE = "rt-9f3k2/p+q=r&s t";

describe("Scrubber", () => {
  it("masks the value and its base64, base64url, URL-encoded and JSON-escaped forms", () => {
    const s = new Scrubber();
    s.add(VALUE);
    const b64 = Buffer.from(VALUE).toString("base64");
    for (const form of [
      VALUE,
      b64,
      Buffer.from(VALUE).toString("base64url"),
      encodeURIComponent(VALUE),
      encodeURIComponent(VALUE).replace(/%20/g, "+"),
    ]) {
      expect(s.scrub(`before ${form} after`)).toBe("before *** after");
    }
  });

  it("masks base64 of the value inside a longer base64 stream, at every byte offset", () => {
    const s = new Scrubber();
    s.add(VALUE);
    for (const prefix of ["", "a", "ab", "abc", "user:"]) {
      const stream = Buffer.from(`${prefix}${VALUE}-and-more`).toString("base64");
      const masked = s.scrub(stream);
      expect(masked, prefix).toContain("***");
      // what is left cannot be decoded back into the value
      expect(Buffer.from(masked.replace("***", ""), "base64").toString()).not.toContain(VALUE);
    }
  });

  it("masks each line of a multi-line secret and its JSON-escaped whole", () => {
    const s = new Scrubber();
    const lines = "ml-one-7c1d\nml-two-7c1d";
    s.add(lines);
    expect(s.scrub("ml-one-7c1d")).toBe("***");
    expect(s.scrub(JSON.stringify({ key: lines }))).toBe('{"key":"***"}');
  });

  it("masks a value that ends in a line break (a file's) without joining the next line to it", () => {
    const s = new Scrubber();
    s.add("fileTok3n77\n");
    expect(s.scrub("token is fileTok3n77\nlen 12\n")).toBe("token is ***\nlen 12\n");
    expect(s.scrub("token is fileTok3n77")).toBe("token is ***");
    expect(s.scrub(Buffer.from("fileTok3n77\n").toString("base64"))).toBe("***");
    expect(s.scrub(JSON.stringify({ key: "fileTok3n77\n" }))).toBe('{"key":"***"}');
  });

  it("masks a value written in two pieces on one line", () => {
    const s = new Scrubber();
    s.add(VALUE);
    const lines: string[] = [];
    const ls = new LineScrubber(s, (l) => lines.push(l));
    ls.push(`split=${VALUE.slice(0, 7)}`);
    ls.push(`${VALUE.slice(7)}\n`);
    ls.flush();
    expect(lines).toEqual(["split=***\n"]);
  });

  it("splits lines across chunks exactly, a long line in many chunks too", () => {
    const s = new Scrubber();
    s.add(VALUE);
    const lines: string[] = [];
    const ls = new LineScrubber(s, (l) => lines.push(l));
    for (const chunk of ["a\nb", "", "c", "\n\nd", `e${VALUE.slice(0, 3)}`, `${VALUE.slice(3)}\nf`])
      ls.push(chunk);
    ls.flush();
    expect(lines).toEqual(["a\n", "bc\n", "\n", "de***\n", "f"]);
    // 8 MiB in 64 KiB chunks before its newline (its speed is measured by hand: docs/design-notes/performance.md)
    const big: string[] = [];
    const long = new LineScrubber(new Scrubber(), (l) => big.push(l));
    const piece = "x".repeat(64 * 1024);
    for (let i = 0; i < 128; i++) long.push(piece);
    long.push("\n");
    expect(big).toHaveLength(1);
    expect(big[0]?.length).toBe(128 * piece.length + 1);
  });

  it("does not mask short encodings that would blank ordinary words", () => {
    const s = new Scrubber();
    s.add("abc");
    expect(s.scrub("YWJj is base64 of it, and abc is masked")).toBe(
      "YWJj is base64 of it, and *** is masked",
    );
  });
});
