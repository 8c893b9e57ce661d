// Reads a compose file's YAML: syntax errors name the file and line:column; YAML 1.2 with merge
// keys (`<<: *defaults`), which compose files use with `x-` anchors.
import { readTextBounded } from "./read-text-bounded.js";
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
    text = await readTextBounded(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "EISDIR")
      throw new ComposeError(`cannot read compose file ${shown}: it is a directory`, {
        cause: e,
        hint: "pass the compose file in it with -f (e.g. -f DIR/compose.yaml), or use --project-directory DIR",
      });
    const why = code === "ENOENT" ? "no such file" : (e as Error).message;
    throw new ComposeError(`cannot read compose file ${shown}: ${why}`, { cause: e });
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { merge: true, lineCounter: lines, prettyErrors: false });
  const first = doc.errors[0];
  if (first) {
    const { line, col } = lines.linePos(first.pos[0]);
    // the parser runs out of stack on documents nested ~900 deep and says only that
    const what = first.code === "RESOURCE_EXHAUSTION" ? tooDeep : `invalid YAML: ${first.message}`;
    throw new ComposeError(`${shown}:${line}:${col}: ${what}`, { cause: first });
  }
  for (const w of doc.warnings) {
    const { line, col } = lines.linePos(w.pos[0]);
    warnings.push(`${shown}:${line}:${col}: ${w.message}`);
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 1000 });
  } catch (e) {
    throw new ComposeError(`${shown}: invalid YAML: ${(e as Error).message}`, { cause: e });
  }
  checkShape(value, shown);
  return value;
}

/** Deeper than any real compose file (they nest under ten levels); every later pass may recurse this far. */
export const MAX_COMPOSE_DEPTH = 200;

const tooDeep = `nested more than ${MAX_COMPOSE_DEPTH} levels deep: a compose file nests a few levels; check the file`;

// Walked with an explicit stack, so neither deep nesting nor an anchor that contains itself (`a: &a {b: *a}`,
// which toJS turns into a cycle) can overflow the stack of the passes that follow.
function checkShape(root: unknown, shown: string): void {
  const stack: { value: unknown; depth: number; path: string[]; ancestors: Set<object> }[] = [
    { value: root, depth: 0, path: [], ancestors: new Set() },
  ];
  for (let item = stack.pop(); item; item = stack.pop()) {
    const { value, depth, path, ancestors } = item;
    if (value === null || typeof value !== "object") continue;
    const shownPath = path.length > 6 ? [...path.slice(0, 5), "…"] : path;
    const where = path.length > 0 ? ` at ${shownPath.join(".")}` : "";
    if (ancestors.has(value)) {
      throw new ComposeError(`${shown}${where}: a YAML alias refers to a node that contains it`, {
        hint: "an anchor (&name) cannot be used (*name) inside itself; copy the values instead",
      });
    }
    if (depth >= MAX_COMPOSE_DEPTH) throw new ComposeError(`${shown}${where}: ${tooDeep}`);
    const inner = new Set(ancestors).add(value);
    for (const [k, v] of Object.entries(value)) {
      stack.push({ value: v, depth: depth + 1, path: [...path, k], ancestors: inner });
    }
  }
}
