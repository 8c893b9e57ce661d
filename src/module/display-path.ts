// Paths in messages read best relative to where the person stands; outside it they stay absolute.
import path from "node:path";

/** `p` relative to `cwd` when it lies inside it, otherwise absolute. */
export function displayPath(p: string, cwd: string): string {
  const rel = path.relative(cwd, p);
  if (rel === "") return ".";
  if (rel.startsWith("..") || path.isAbsolute(rel)) return p;
  return rel;
}
