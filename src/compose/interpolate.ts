// Compose variable substitution: `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`,
// `${VAR:?error}`, `${VAR?error}`, `${VAR:+alt}`, `${VAR+alt}`, `$$` for a literal `$`, with
// nested words (`${A:-${B}}`) evaluated only when used, so an unused `${B:?}` never fails.
import type { At } from "./at.js";

export type Lookup = (name: string) => string | undefined;

const NAME_START = /[A-Za-z_]/;
const NAME_CHAR = /[A-Za-z0-9_]/;
const OPERATORS = [":-", ":?", ":+", "-", "?", "+"] as const;
type Operator = (typeof OPERATORS)[number];

/** Substitutes variables in compose strings; one per file, so "not set" warnings are given once each. */
export class Interpolator {
  private readonly warned = new Set<string>();

  constructor(private readonly lookup: Lookup) {}

  // Interpolates one string value found at `at`.
  interpolate(s: string, at: At): string {
    if (!s.includes("$")) return s;
    return this.expand(s, s, at);
  }

  // Expands `word` (all of `whole`, or a default word inside it).
  private expand(word: string, whole: string, at: At): string {
    let out = "";
    let i = 0;
    while (i < word.length) {
      const c = word[i];
      if (c !== "$") {
        out += c;
        i++;
        continue;
      }
      const next = word[i + 1];
      if (next === "$") {
        out += "$";
        i += 2;
      } else if (next === "{") {
        const end = matchingBrace(word, i + 2);
        if (end < 0) invalid(whole, at);
        out += this.braced(word.slice(i + 2, end), whole, at);
        i = end + 1;
      } else if (next !== undefined && NAME_START.test(next)) {
        let j = i + 1;
        while (j < word.length && NAME_CHAR.test(word[j] ?? "")) j++;
        out += this.value(word.slice(i + 1, j), at);
        i = j;
      } else {
        invalid(whole, at);
      }
    }
    return out;
  }

  // Evaluates the inside of `${...}`.
  private braced(body: string, whole: string, at: At): string {
    let n = 0;
    while (n < body.length && (n === 0 ? NAME_START : NAME_CHAR).test(body[n] ?? "")) n++;
    if (n === 0) invalid(whole, at);
    const name = body.slice(0, n);
    if (n === body.length) return this.value(name, at);
    const op = OPERATORS.find((o) => body.startsWith(o, n));
    if (!op) invalid(whole, at);
    return this.apply(name, op, body.slice(n + op.length), whole, at);
  }

  // Applies one operator; `word` is expanded only on the branch that uses it.
  private apply(name: string, op: Operator, word: string, whole: string, at: At): string {
    const v = this.lookup(name);
    const set = v !== undefined;
    const nonEmpty = set && v !== "";
    switch (op) {
      case ":-":
        return nonEmpty ? v : this.expand(word, whole, at);
      case "-":
        return set ? v : this.expand(word, whole, at);
      case ":+":
        return nonEmpty ? this.expand(word, whole, at) : "";
      case "+":
        return set ? this.expand(word, whole, at) : "";
      case ":?":
      case "?": {
        if (op === ":?" ? nonEmpty : set) return v ?? "";
        const why = `required variable ${name} is ${set ? "empty" : "not set"}`;
        const msg = this.expand(word, whole, at);
        return at.fail(msg === "" ? why : `${why}: ${msg}`);
      }
    }
  }

  // A plain `$VAR`/`${VAR}`; an unset variable becomes "" with a warning, as docker-compose does.
  private value(name: string, at: At): string {
    const v = this.lookup(name);
    if (v !== undefined) return v;
    if (!this.warned.has(name)) {
      this.warned.add(name);
      at.warn(`variable ${name} is not set, substituting an empty string`);
    }
    return "";
  }
}

// The index of the `}` closing a `${` whose body starts at `from`, skipping nested `${...}` and `$$`.
function matchingBrace(s: string, from: number): number {
  let depth = 0;
  for (let i = from; i < s.length; i++) {
    if (s[i] === "$" && (s[i + 1] === "$" || s[i + 1] === "{")) {
      if (s[i + 1] === "{") depth++;
      i++;
    } else if (s[i] === "}") {
      if (depth === 0) return i;
      depth--;
    }
  }
  return -1;
}

// The error for a malformed `$` expression.
function invalid(whole: string, at: At): never {
  return at.fail(
    `invalid interpolation format in ${JSON.stringify(whole)}: use $$ for a literal $`,
  );
}

// Lists whose items are `KEY=VALUE`: a failure is reported under the key, like the mapping form.
const KEY_VALUE_LISTS = new Set(["environment", "labels", "args"]);

// Interpolates every string value of a parsed compose document (never keys); top-level `x-*`
// extension sections are left alone, as docker-compose does, since only their anchors get used.
export function interpolateTree(doc: unknown, at: At, interp: Interpolator): unknown {
  return walk(doc, at, interp, true);
}

// Recursive step of interpolateTree, returning new values and never mutating YAML-shared aliases.
function walk(v: unknown, at: At, interp: Interpolator, top: boolean): unknown {
  if (typeof v === "string") return interp.interpolate(v, at);
  if (Array.isArray(v)) {
    const keyed = KEY_VALUE_LISTS.has(String(at.path.at(-1)));
    return v.map((item, i) => {
      const key = keyed && typeof item === "string" ? /^([^=\s]+)=/.exec(item)?.[1] : undefined;
      return walk(item, key ? at.key(key) : at.index(i), interp, false);
    });
  }
  if (v !== null && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      out[k] = top && k.startsWith("x-") ? x : walk(x, at.key(k), interp, false);
    }
    return out;
  }
  return v;
}
