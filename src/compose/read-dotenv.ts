// Parses `.env` and `env_file` files the way docker-compose does: KEY=VALUE lines, `#` comments,
// an optional `export ` prefix, single quotes (literal), double quotes (escapes, may span lines),
// unquoted values with trailing ` # comment` dropped, and `${VAR}` substitution outside single quotes.
import { readTextBounded } from "./read-text-bounded.js";
import { At } from "./at.js";
import { Interpolator, type Lookup } from "./interpolate.js";

const KEY = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
const ESCAPES: Record<string, string> = { n: "\n", t: "\t", r: "\r", "\\": "\\", '"': '"' };

/**
 * Parses dotenv text. A bare `KEY` line yields `undefined` (the caller decides: look it up or drop it).
 * `${VAR}` looks in `lookup` first, then at keys defined earlier in the same file.
 */
export function parseDotenv(
  text: string,
  file: string,
  warnings: string[],
  lookup: Lookup,
): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  const interp = new Interpolator((k) => lookup(k) ?? out[k]);
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  for (let n = 0; n < lines.length; n++) {
    const at = new At(file, warnings, [`line ${n + 1}`]);
    const line = (lines[n] ?? "").trim();
    if (line === "" || line.startsWith("#")) continue;
    const body = line.replace(/^export\s+/, "");
    const eq = body.indexOf("=");
    const key = (eq < 0 ? body : body.slice(0, eq)).trim();
    if (!KEY.test(key)) at.expected("KEY=VALUE", line);
    if (eq < 0) {
      out[key] = undefined;
      continue;
    }
    let rest = body.slice(eq + 1).trimStart();
    const quote = rest[0];
    if (quote !== '"' && quote !== "'") {
      out[key] = interp.interpolate(rest.replace(/\s+#.*$/, "").trim(), at);
      continue;
    }
    // A quoted value may continue on the following lines until its closing quote.
    let close = findClose(rest, quote);
    while (close < 0 && n + 1 < lines.length) {
      rest += `\n${lines[++n] ?? ""}`;
      close = findClose(rest, quote);
    }
    if (close < 0) at.fail(`unterminated ${quote === '"' ? "double" : "single"}-quoted value`);
    const raw = rest.slice(1, close);
    out[key] = quote === "'" ? raw : interp.interpolate(unescape(raw), at);
  }
  return out;
}

// Index of the closing quote, skipping backslash escapes inside double quotes.
function findClose(s: string, quote: string): number {
  for (let i = 1; i < s.length; i++) {
    if (quote === '"' && s[i] === "\\") i++;
    else if (s[i] === quote) return i;
  }
  return -1;
}

// Resolves backslash escapes in a double-quoted value; `\$` stays a literal `$` through interpolation.
function unescape(raw: string): string {
  return raw.replace(/\\(.)/gs, (all, c: string) => (c === "$" ? "$$" : (ESCAPES[c] ?? all)));
}

// Reads and parses a dotenv file; undefined when it does not exist.
export async function readDotenvFile(
  filePath: string,
  shown: string,
  warnings: string[],
  lookup: Lookup,
): Promise<Record<string, string | undefined> | undefined> {
  let text: string;
  try {
    text = await readTextBounded(filePath);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    return new At(shown, warnings).fail(`cannot read: ${(e as Error).message}`, e);
  }
  return parseDotenv(text, shown, warnings, lookup);
}
