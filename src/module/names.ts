// One place that turns TypeScript names into CLI names and back, so `functions`, `call` and help always agree.

/**
 * `buildImage` → `build-image`, `HTTPServer` → `http-server`: the spelling flags and function names take on the CLI.
 * A trailing underscore is dropped, as Dagger's Python SDK does, so a parameter named after a reserved word
 * (`export_`) is the flag `--export`.
 */
export function toKebabCase(name: string): string {
  return name
    .replace(/(?<=.)_+$/, "")
    .replace(/([a-z0-9])([A-Z])/g, "$1-$2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1-$2")
    .replace(/[_\s]+/g, "-")
    .toLowerCase();
}

/** `my-module` → `MyModule`: Dagger's rule for the name of a module's main object. */
export function toPascalCase(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w.length > 0)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join("");
}

/** Whether what a person typed names this identifier (kebab-case, or the identifier itself). */
export function matchesName(typed: string, identifier: string): boolean {
  return typed === identifier || toKebabCase(typed) === toKebabCase(identifier);
}

// Edit distance, for "did you mean" suggestions; names are short so the quadratic table is fine.
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur.push(Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost));
    }
    prev = cur;
  }
  return prev[b.length] ?? Math.max(a.length, b.length);
}

/** The candidate closest to what was typed, if it is close enough to be a likely typo. */
export function closestName(typed: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = c.startsWith(typed) || typed.startsWith(c) ? 1 : editDistance(typed, c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  const limit = Math.max(2, Math.floor(typed.length / 3));
  return bestDistance <= limit ? best : undefined;
}

/** " Did you mean --source?" or "", appended to unknown-name errors. */
export function suggestion(typed: string, candidates: readonly string[], prefix = ""): string {
  const best = closestName(typed, candidates);
  return best === undefined ? "" : ` Did you mean ${prefix}${best}?`;
}

/** `hello-world` → `helloWorld`: how Dagger's TypeScript client names a dependency on `dag`. */
export function toCamelCase(name: string): string {
  const pascal = toPascalCase(name);
  return pascal.charAt(0).toLowerCase() + pascal.slice(1);
}
