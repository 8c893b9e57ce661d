// The context a Dockerfile build sees: the directory minus what its .dockerignore leaves out, Dockerfile always kept.
import type { Session } from "../session.js";
import type { BuildPayload } from "./image-payloads.js";
import { normalizeTreePath, type Tree } from "../../store/tree.js";
import { filterTree, getEntry } from "../../store/tree-ops.js";
import { patternWarnings } from "../../store/ignore-rules.js";
import { emitWarnings } from "../evaluate/pattern-warnings.js";
import { NotFoundError } from "../../errors.js";
import { evaluateDirectory } from "../evaluate/directory.js";

export interface BuildContext {
  /** The context as sent to the builder. */
  tree: Tree;
  /** The Dockerfile's path in the context, in tree form. */
  dockerfile: string;
  /** The Dockerfile's text, for the base images it names. */
  dockerfileText: string;
}

const IGNORE_FILE = ".dockerignore";

// Evaluate the context directory, read the Dockerfile and .dockerignore from it, and filter it as `docker build` does.
export async function buildContext(s: Session, payload: BuildPayload): Promise<BuildContext> {
  const full = await evaluateDirectory(s, payload.context);
  const dockerfile = normalizeTreePath(payload.dockerfile);
  const entry = dockerfile === "" ? undefined : getEntry(full, dockerfile);
  if (entry?.type !== "file") {
    throw new NotFoundError(
      `Dockerfile ${JSON.stringify(payload.dockerfile)} is not a file in the build context`,
      {
        hint: 'add it to the directory, or name it with {dockerfile: "path/in/context"}',
      },
    );
  }
  const dockerfileText = (await s.store.readBlob(entry.digest)).toString("utf8");
  const ignore = getEntry(full, IGNORE_FILE);
  if (ignore?.type !== "file") return { tree: full, dockerfile, dockerfileText };
  const patterns = parseDockerignore((await s.store.readBlob(ignore.digest)).toString("utf8"));
  emitWarnings(s, patternWarnings(patterns, IGNORE_FILE));
  if (patterns.length === 0) return { tree: full, dockerfile, dockerfileText };
  // The builder needs both files whatever the patterns say; the docker CLI re-includes them the same way.
  const exclude = [...patterns, `!${dockerfile}`, `!${IGNORE_FILE}`];
  return { tree: filterTree(full, { exclude }), dockerfile, dockerfileText };
}

/** .dockerignore lines as exclude patterns: comments and blanks dropped, `!` kept (it re-includes). */
export function parseDockerignore(text: string): string[] {
  const patterns: string[] = [];
  for (const raw of text.replace(/^\uFEFF/, "").split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const negated = line.startsWith("!");
    const pattern = negated ? line.slice(1).trim() : line;
    if (pattern === "") continue;
    patterns.push(negated ? `!${pattern}` : pattern);
  }
  return patterns;
}
