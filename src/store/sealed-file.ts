// Cache files are trusted only when their bytes are the bytes Gantry wrote: a checksum travels with each one,
// so a damaged file (a bad disk, a crash mid-write on a file system without ordered renames, a stray edit) is a
// miss that gets rebuilt, never a wrong answer.
import { createHash } from "node:crypto";

const PREFIX = "gantry-sealed:sha256:";

// `<checksum line>\n<body>`: the checksum covers exactly the body's bytes.
export function sealText(body: string): string {
  return `${PREFIX}${createHash("sha256").update(body).digest("hex")}\n${body}`;
}

/** The body of sealed text, or undefined when the text is not sealed or its checksum does not match. */
export function unsealText(text: string): string | undefined {
  const nl = text.indexOf("\n");
  if (nl < 0 || !text.startsWith(PREFIX)) return undefined;
  const body = text.slice(nl + 1);
  const want = text.slice(PREFIX.length, nl);
  return createHash("sha256").update(body).digest("hex") === want ? body : undefined;
}

// A JavaScript bundle must stay valid JavaScript and keep its source map's line numbers: the seal goes last.
export function sealScript(code: string): string {
  return `${code}\n//# ${PREFIX}${createHash("sha256").update(code).digest("hex")}\n`;
}

/** The code of a sealed script, or undefined when it is not sealed or was changed. */
export function unsealScript(text: string): string | undefined {
  const m = /\n\/\/# gantry-sealed:sha256:([0-9a-f]{64})\n$/.exec(text);
  if (!m) return undefined;
  const code = text.slice(0, m.index);
  return createHash("sha256").update(code).digest("hex") === m[1] ? code : undefined;
}
