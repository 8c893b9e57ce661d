// Reads a compose file's YAML: syntax errors name the file and line:column; YAML 1.2 with merge
// keys (`<<: *defaults`), which compose files use with `x-` anchors.
import fs from "node:fs/promises";
import { LineCounter, parseDocument } from "yaml";
import { ComposeError } from "../errors.js";

/** The document as plain data (null for an empty file); `shown` is the file as messages name it. */
export async function readComposeFile(
  file: string,
  shown: string,
  warnings: string[],
): Promise<unknown> {
  let text: string;
  try {
    text = await fs.readFile(file, "utf8");
  } catch (e) {
    const why =
      (e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message;
    throw new ComposeError(`cannot read compose file ${shown}: ${why}`, { cause: e });
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { merge: true, lineCounter: lines, prettyErrors: false });
  const first = doc.errors[0];
  if (first) {
    const { line, col } = lines.linePos(first.pos[0]);
    throw new ComposeError(`${shown}:${line}:${col}: invalid YAML: ${first.message}`, {
      cause: first,
    });
  }
  for (const w of doc.warnings) {
    const { line, col } = lines.linePos(w.pos[0]);
    warnings.push(`${shown}:${line}:${col}: ${w.message}`);
  }
  try {
    return doc.toJS({ maxAliasCount: 1000 });
  } catch (e) {
    throw new ComposeError(`${shown}: invalid YAML: ${(e as Error).message}`, { cause: e });
  }
}
