// The small syntaxes inside compose values: dotenv files, command strings, durations, ports, mounts.
import { describe, expect, it } from "vitest";
import { At } from "../../src/compose/at.js";
import { parseDotenv } from "../../src/compose/read-dotenv.js";
import { splitCommand } from "../../src/compose/split-command.js";
import { parseDuration } from "../../src/compose/parse-duration.js";
import { parseExpose, parsePort } from "../../src/compose/parse-port.js";
import { parseTmpfs, parseVolume } from "../../src/compose/parse-volume.js";

const at = () => new At("c.yml", [], ["x"]);

describe("parseDotenv", () => {
  const parse = (text: string, env: Record<string, string> = {}) =>
    parseDotenv(text, ".env", [], (k) => env[k]);

  it("reads KEY=VALUE lines, skipping comments and blank lines", () => {
    expect(parse("# comment\n\nA=1\n  B = two  \nC=\nexport D=exported\n")).toEqual({
      A: "1",
      B: "two",
      C: "",
      D: "exported",
    });
  });

  it("strips an inline comment only after whitespace in unquoted values", () => {
    expect(parse("A=value # note\nB=a#b\nC=x\t# tab\n")).toEqual({ A: "value", B: "a#b", C: "x" });
  });

  it("single quotes are literal; double quotes take escapes and may span lines", () => {
    expect(parse('A=\'x $B \\n # y\'\nB="tab\\there # kept"\nC="a\nb"\nD="q\\"q"\n')).toEqual({
      A: "x $B \\n # y",
      B: "tab\there # kept",
      C: "a\nb",
      D: 'q"q',
    });
  });

  it("interpolates outside single quotes: the environment first, then earlier keys", () => {
    expect(
      parse('A=a\nB=${A}-b\nC="$A/$HOME"\nD=\'$A\'\nE=\\$A\nF="\\$A"\nG=$$A\n', { HOME: "/h" }),
    ).toEqual({ A: "a", B: "a-b", C: "a//h", D: "$A", E: "\\a", F: "$A", G: "$A" });
    expect(parse("A=file\nB=$A\n", { A: "shell" }).B).toBe("shell");
  });

  it("a bare KEY has no value; the caller looks it up", () => {
    expect(parse("BARE\n")).toEqual({ BARE: undefined });
  });

  it("handles CRLF line ends and a BOM", () => {
    expect(parse("\uFEFFA=1\r\nB=2\r\n")).toEqual({ A: "1", B: "2" });
  });
});

describe("splitCommand (shlex.split rules)", () => {
  const split = (s: string) => splitCommand(s, at());

  it("splits on whitespace, honouring quotes and backslashes", () => {
    expect(split("echo hello   world")).toEqual(["echo", "hello", "world"]);
    expect(split(`sh -c 'echo "hi there" && exit 1'`)).toEqual([
      "sh",
      "-c",
      'echo "hi there" && exit 1',
    ]);
    expect(split(`a\\ b "c d" 'e f'`)).toEqual(["a b", "c d", "e f"]);
    expect(split(`pre"mid dle"post`)).toEqual(["premid dlepost"]);
    expect(split(`'' ""`)).toEqual(["", ""]);
    expect(split("  ")).toEqual([]);
  });

  it('inside double quotes only \\" and \\\\ are escapes; # and $ are plain characters', () => {
    expect(split(`"a\\"b" "c\\\\d" "e\\nf"`)).toEqual(['a"b', "c\\d", "e\\nf"]);
    expect(split("echo #not-a-comment $HOME")).toEqual(["echo", "#not-a-comment", "$HOME"]);
    expect(split(`'it\\'`)).toEqual(["it\\"]);
  });

  it("rejects unterminated quotes and a trailing backslash", () => {
    expect(() => split(`echo "a`)).toThrow(
      `c.yml: x: unterminated double quote in command string "echo \\"a"`,
    );
    expect(() => split("echo 'a")).toThrow("unterminated single quote");
    expect(() => split("echo \\")).toThrow("a trailing backslash");
  });
});

describe("parseDuration", () => {
  it("reads Go durations as milliseconds", () => {
    expect(parseDuration("1m30s")).toBe(90_000);
    expect(parseDuration("10s")).toBe(10_000);
    expect(parseDuration("500ms")).toBe(500);
    expect(parseDuration("1h")).toBe(3_600_000);
    expect(parseDuration("1.5s")).toBe(1500);
    expect(parseDuration("2h45m")).toBe(9_900_000);
    expect(parseDuration("1000us")).toBe(1);
    expect(parseDuration("0")).toBe(0);
  });

  it("rejects numbers without units and unknown units", () => {
    for (const s of ["10", "", "1d", "s", "1m 30s", "-5s", "1.2.3s"])
      expect(parseDuration(s), s).toBeUndefined();
  });
});

describe("parsePort", () => {
  const port = (v: unknown) => parsePort(v, at());

  it("reads the short forms", () => {
    expect(port(80)).toEqual([{ target: 80, protocol: "tcp" }]);
    expect(port("80")).toEqual([{ target: 80, protocol: "tcp" }]);
    expect(port("8080:80")).toEqual([{ target: 80, published: 8080, protocol: "tcp" }]);
    expect(port("127.0.0.1:8080:80/udp")).toEqual([
      { target: 80, published: 8080, hostIp: "127.0.0.1", protocol: "udp" },
    ]);
    expect(port("127.0.0.1::80")).toEqual([{ target: 80, hostIp: "127.0.0.1", protocol: "tcp" }]);
    expect(port("[::1]:8080:80")).toEqual([
      { target: 80, published: 8080, hostIp: "::1", protocol: "tcp" },
    ]);
    expect(port("53/udp")).toEqual([{ target: 53, protocol: "udp" }]);
  });

  it("expands ranges to one entry per port", () => {
    expect(port("5000-5001:6000-6001")).toEqual([
      { target: 6000, published: 5000, protocol: "tcp" },
      { target: 6001, published: 5001, protocol: "tcp" },
    ]);
    expect(port("7000-7002").map((p) => p.target)).toEqual([7000, 7001, 7002]);
  });

  it("reads the long form, published as a number or a string", () => {
    expect(port({ target: 80, published: "8080", host_ip: "0.0.0.0", protocol: "udp" })).toEqual([
      { target: 80, published: 8080, hostIp: "0.0.0.0", protocol: "udp" },
    ]);
    expect(port({ target: "80" })).toEqual([{ target: 80, protocol: "tcp" }]);
  });

  it("expose takes numbers, strings and ranges; the protocol is checked but not kept", () => {
    expect(parseExpose(3000, at())).toEqual([3000]);
    expect(parseExpose("3000-3002", at())).toEqual([3000, 3001, 3002]);
    expect(parseExpose("53/udp", at())).toEqual([53]);
    expect(() => parseExpose("53/sctp", at())).toThrow('expected one of tcp, udp, got "sctp"');
  });
});

describe("parseVolume", () => {
  const vol = (v: unknown) => {
    const { at: _at, ...rest } = parseVolume(v, at());
    return rest;
  };

  it("reads the short syntax: bind for paths, volume for names, anonymous for a target alone", () => {
    expect(vol("./data:/data:ro")).toEqual({
      type: "bind",
      source: "./data",
      target: "/data",
      readOnly: true,
    });
    expect(vol("/abs:/abs")).toEqual({
      type: "bind",
      source: "/abs",
      target: "/abs",
      readOnly: false,
    });
    expect(vol("~/x:/x:rw")).toEqual({
      type: "bind",
      source: "~/x",
      target: "/x",
      readOnly: false,
    });
    expect(vol("data:/var/lib/data")).toEqual({
      type: "volume",
      source: "data",
      target: "/var/lib/data",
      readOnly: false,
    });
    expect(vol("/anon")).toEqual({ type: "volume", target: "/anon", readOnly: false });
    expect(vol("./a:/a:ro,cached")).toMatchObject({ readOnly: true });
  });

  it("reads the long syntax", () => {
    expect(vol({ type: "bind", source: ".", target: "/src", read_only: true })).toEqual({
      type: "bind",
      source: ".",
      target: "/src",
      readOnly: true,
    });
    expect(vol({ type: "volume", source: "cache", target: "/c" })).toEqual({
      type: "volume",
      source: "cache",
      target: "/c",
      readOnly: false,
    });
    expect(vol({ type: "tmpfs", target: "/t" })).toEqual({ type: "tmpfs", target: "/t" });
  });

  it("tmpfs takes a path or a list; options are ignored with a warning", () => {
    const warnings: string[] = [];
    const here = new At("c.yml", warnings, ["services", "a", "tmpfs"]);
    expect(parseTmpfs("/run", here).map((m) => m.target)).toEqual(["/run"]);
    expect(parseTmpfs(["/a", "/b:size=64m"], here).map((m) => m.target)).toEqual(["/a", "/b"]);
    expect(warnings).toEqual([
      'c.yml: services.a.tmpfs[1]: tmpfs options "size=64m" are not supported by Gantry, ignored',
    ]);
  });
});
