// Where a failing step's tools point: `file:line:col: message` and its cousins, read from the step's output.

export interface Annotation {
  file: string;
  line: number;
  col?: number;
  message: string;
}

/** GitHub shows at most 10 error annotations per step: the first ones are the ones that matter. */
export const MAX_ANNOTATIONS = 10;

const PATH = String.raw`((?:[A-Za-z]:)?[\w./@+-]*[\w-]\.[A-Za-z0-9]{1,8})`;
// gcc, go, eslint --format unix, flake8, ruff, mypy, rustc's `-->`, mix: path:line[:col]: message
const COLON = new RegExp(String.raw`^\s*(?:-->\s*)?${PATH}:(\d+)(?::(\d+))?:?\s*(.*)$`);
// tsc, MSBuild: path(line,col): error TS1234: message
const PAREN = new RegExp(String.raw`^\s*${PATH}\((\d+),(\d+)\):\s*(.*)$`);
// Python tracebacks: File "path", line N
const PYTHON = /^\s*File "([^"]+)", line (\d+)/;
// eslint's default (stylish) format: a path alone, then `  12:5  error  message  rule`
const STYLISH_FILE = new RegExp(String.raw`^${PATH}$`);
const STYLISH_ROW = /^\s+(\d+):(\d+)\s+error\s+(.+?)\s*$/;

/** Where a step's files come from: its workdir, and container folders filled from project folders. */
export interface PathContext {
  workdir?: string;
  sources?: readonly { target: string; host: string }[];
  /** GITHUB_WORKSPACE, for host-runtime steps whose paths are host paths. */
  workspace?: string;
}

/**
 * A path as the repository knows it: a container path under a folder filled from the project (`/src/a.ts` with
 * `/src` ← `app`) becomes `app/a.ts`; a relative one is first taken from the workdir; the workspace is stripped.
 */
export function repoPath(file: string, ctx: PathContext): string {
  const posix = file.replace(/\\/g, "/");
  const abs = posix.startsWith("/")
    ? posix
    : `${(ctx.workdir ?? "/").replace(/\/+$/, "")}/${posix.replace(/^\.\//, "")}`;
  const sources = [...(ctx.sources ?? [])].sort((a, b) => b.target.length - a.target.length);
  for (const { target, host } of sources) {
    const t = target.replace(/\/+$/, "");
    if (abs === t || abs.startsWith(t + "/")) {
      const rest = abs.slice(t.length + 1);
      return host === "." ? rest : rest ? `${host}/${rest}` : host;
    }
  }
  const ws = ctx.workspace?.replace(/\/+$/, "");
  if (ws && abs.startsWith(ws + "/")) return abs.slice(ws.length + 1);
  return posix.replace(/^\.\//, "");
}

/** The first locations in a step's output (at most MAX_ANNOTATIONS), paths made the repository's. */
export function findAnnotations(output: string, ctx: PathContext): Annotation[] {
  const out: Annotation[] = [];
  const seen = new Set<string>();
  const lines = output.split(/\r?\n/);
  let stylishFile: string | undefined;
  const add = (file: string, line: number, col: number | undefined, message: string) => {
    const key = `${file}:${line}:${col ?? ""}`;
    if (seen.has(key) || out.length >= MAX_ANNOTATIONS || line <= 0) return;
    seen.add(key);
    const a: Annotation = {
      file: repoPath(file, ctx),
      line,
      message: message.trim() || "error here",
    };
    if (col !== undefined) a.col = col;
    out.push(a);
  };
  for (let i = 0; i < lines.length && out.length < MAX_ANNOTATIONS; i++) {
    const text = lines[i] ?? "";
    let m: RegExpExecArray | null;
    if ((m = PAREN.exec(text))) add(m[1]!, Number(m[2]), Number(m[3]), m[4]!);
    else if ((m = PYTHON.exec(text))) {
      // the exception itself is the first unindented line after the traceback's frames
      const msg = lines.slice(i + 1).find((l) => /^\S/.test(l)) ?? "Python error";
      add(m[1]!, Number(m[2]), undefined, msg);
    } else if (stylishFile && (m = STYLISH_ROW.exec(text)))
      add(stylishFile, Number(m[1]), Number(m[2]), m[3]!);
    else if ((m = STYLISH_FILE.exec(text.trim())) && text.startsWith("/")) stylishFile = m[1];
    else if ((m = COLON.exec(text)) && !/^https?$/.test(m[1]!))
      add(m[1]!, Number(m[2]), m[3] === undefined ? undefined : Number(m[3]), m[4]!);
    else if (text.trim() === "") stylishFile = undefined;
  }
  return out;
}
