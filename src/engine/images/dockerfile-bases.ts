// The images a Dockerfile builds FROM, so a build's cache key follows their content ids: a retagged base rebuilds.
/** A `${NAME}`, `${NAME:-default}`, `${NAME:+alt}` or `$NAME` reference in an instruction. */
const VARIABLE = /\$\{([A-Za-z_]\w*)(?::([-+])([^}]*))?\}|\$([A-Za-z_]\w*)/g;

// Every external image a FROM names (stage names and `scratch` are not images), with global ARGs substituted.
export function dockerfileBaseImages(
  text: string,
  buildArgs: Readonly<Record<string, string>>,
): string[] {
  const args = new Map<string, string>();
  const stages = new Set<string>();
  const images: string[] = [];
  let seenFrom = false;
  for (const line of instructions(text)) {
    const m = /^(\S+)\s+(.*)$/.exec(line);
    if (!m?.[1] || m[2] === undefined) continue;
    const keyword = m[1].toUpperCase();
    if (keyword === "ARG" && !seenFrom) {
      for (const decl of m[2].split(/\s+/)) {
        const eq = decl.indexOf("=");
        const name = eq < 0 ? decl : decl.slice(0, eq);
        const fallback = eq < 0 ? undefined : unquote(decl.slice(eq + 1));
        const value = buildArgs[name] ?? fallback;
        if (value !== undefined) args.set(name, value);
      }
    } else if (keyword === "FROM") {
      seenFrom = true;
      const words = m[2].split(/\s+/).filter((w) => !w.startsWith("--"));
      const image = expand(words[0] ?? "", args);
      if (words[1]?.toLowerCase() === "as" && words[2]) stages.add(words[2].toLowerCase());
      if (image && image.toLowerCase() !== "scratch" && !stages.has(image.toLowerCase())) {
        if (!images.includes(image)) images.push(image);
      }
    }
  }
  return images;
}

// Logical lines: parser directive for the escape character, comments dropped, continuations joined.
function instructions(text: string): string[] {
  const escape = escapeDirective(text);
  const out: string[] = [];
  let current = "";
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith("#")) continue;
    if (line.endsWith(escape)) {
      current += line.slice(0, -1) + " ";
      continue;
    }
    current += line;
    if (current.trim() !== "") out.push(current.trim());
    current = "";
  }
  if (current.trim() !== "") out.push(current.trim());
  return out;
}

// Parser directives (# escape=`) are comment lines at the very top, before anything else.
function escapeDirective(text: string): string {
  for (const raw of text.split(/\r?\n/)) {
    const m = /^#\s*([a-z]+)\s*=\s*(\S+)\s*$/i.exec(raw.trim());
    if (!m) break;
    if (m[1]?.toLowerCase() === "escape" && m[2] === "`") return "`";
  }
  return "\\";
}

// Substitute ARG values the way the builder does for FROM; an unset name becomes "".
function expand(word: string, args: ReadonlyMap<string, string>): string {
  return word.replace(VARIABLE, (_m, braced?: string, op?: string, alt?: string, bare?: string) => {
    const value = args.get((braced ?? bare) as string);
    if (op === "-") return value ? value : (alt ?? "");
    if (op === "+") return value ? (alt ?? "") : "";
    return value ?? "";
  });
}

// ARG defaults may be quoted: ARG BASE="busybox:latest".
function unquote(value: string): string {
  return /^(["']).*\1$/.test(value) ? value.slice(1, -1) : value;
}
