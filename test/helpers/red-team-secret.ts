// The red team's secrets: one value and a two-line one, every form a step may print them in, and the search for
// those forms in any text (reliability-secrets*.test.ts).
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";

const RAND = Math.random().toString(36).slice(2, 10);
/** Has `/`, `+`, `=`, `&` and a space, so its base64, base64url and URL forms all differ from it. */
export const TOKEN = `rt-${RAND}/p+q=r&s t`;
export const LINES = `ml-one-${RAND}\nml-two-${RAND}`;
/** Every form the tests look for, with a name for the report. */
export const FORMS: Record<string, string> = {
  plain: TOKEN,
  base64: Buffer.from(TOKEN).toString("base64"),
  base64url: Buffer.from(TOKEN).toString("base64url"),
  url: encodeURIComponent(TOKEN),
  "line 1": `ml-one-${RAND}`,
  "line 2": `ml-two-${RAND}`,
  "json-escaped multi-line": JSON.stringify(LINES).slice(1, -1),
};
/** The CLI's environment and flags that hand the two secrets to the red-team functions. */
export const secretEnv = { RT_TOKEN: TOKEN, RT_LINES: LINES };
export const secretFlags = ["--token=env:RT_TOKEN", "--lines=env:RT_LINES"];

/** The forms found in `text`, by name ([] when none): what the assertions compare. */
export function leaks(text: string | Buffer): string[] {
  const s = text.toString();
  return Object.entries(FORMS).flatMap(([name, form]) => (s.includes(form) ? [name] : []));
}

/** As leaks, in HTML or Markdown: entities decoded first, so `&amp;` cannot hide a plain value. */
export function leaksInMarkup(text: string): string[] {
  const decoded = text
    .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&nbsp;/g, " ")
    .replace(/&amp;/g, "&");
  return [
    ...new Set([...leaks(text), ...leaks(decoded), ...leaks(decoded.replace(/\\(.)/g, "$1"))]),
  ];
}

/**
 * As leaks, in GitHub workflow-command output: each command's data unescaped as the runner does (%25 %0D %0A
 * %3A %2C), and the `::add-mask::` lines left out (they are how the runner learns what to blank).
 */
export function leaksInWorkflowCommands(text: string): string[] {
  const lines = text.split("\n").filter((l) => !l.startsWith("::add-mask::"));
  const unescaped = lines.map((l) =>
    l.startsWith("::")
      ? l
          .replace(/%0D/gi, "\r")
          .replace(/%0A/gi, "\n")
          .replace(/%3A/gi, ":")
          .replace(/%2C/gi, ",")
          .replace(/%25/g, "%")
      : l,
  );
  return [...new Set([...leaks(lines.join("\n")), ...leaks(unescaped.join("\n"))])];
}

/** Every file under `dir` with a leak, as "path: forms". */
export async function leaksUnder(dir: string): Promise<string[]> {
  const hits: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    const p = path.join(e.parentPath, e.name);
    const found = leaks(await readFile(p));
    if (found.length > 0) hits.push(`${p}: ${found.join(", ")}`);
  }
  return hits;
}
