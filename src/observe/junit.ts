// JUnit XML (the de-facto test report format of pytest, jest-junit, vitest, go-junit-report, ExUnit's formatter…) read into cases.

export interface TestCase {
  suite: string;
  name: string;
  classname?: string;
  file?: string;
  line?: number;
  timeSec?: number;
  status: "passed" | "failed" | "error" | "skipped";
  /** The failure's message and text, for failed and errored cases. */
  message?: string;
  details?: string;
}

export interface TestTotals {
  total: number;
  passed: number;
  failed: number;
  skipped: number;
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

// XML character and entity references, so names and messages read as written.
function decode(s: string): string {
  return s
    .replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, (_m, c: string) => c)
    .replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (m, e: string) => {
      if (e[0] === "#")
        return String.fromCodePoint(
          e[1] === "x" || e[1] === "X" ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10),
        );
      return ENTITIES[e] ?? m;
    });
}

// `a="1" b='x'` → a record of decoded attribute values.
function attrs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/([\w:.-]+)\s*=\s*("([^"]*)"|'([^']*)')/g))
    out[m[1]!] = decode(m[3] ?? m[4] ?? "");
  return out;
}

/**
 * The test cases of a JUnit XML document, each with the suite that holds it. Only the elements that matter
 * (testsuite, testcase, failure, error, skipped) are read; anything else is ignored, so a report from any tool
 * that follows the common shape reads.
 */
export function parseJunit(xml: string): TestCase[] {
  const cases: TestCase[] = [];
  const body = xml.replace(/<!--[\s\S]*?-->/g, "");
  const suiteRe = /<testsuite\b([^>]*?)(\/>|>([\s\S]*?)<\/testsuite>)/g;
  const found = [...body.matchAll(suiteRe)].map((m) => ({
    suite: attrs(m[1] ?? "").name ?? "tests",
    inner: m[3] ?? "",
  }));
  for (const { suite, inner } of found.length ? found : [{ suite: "tests", inner: body }]) {
    for (const c of inner.matchAll(/<testcase\b([^>]*?)(\/>|>([\s\S]*?)<\/testcase>)/g)) {
      const a = attrs(c[1] ?? "");
      const content = c[3] ?? "";
      const tc: TestCase = { suite, name: a.name ?? "(unnamed)", status: "passed" };
      if (a.classname) tc.classname = a.classname;
      if (a.file) tc.file = a.file;
      if (a.line && /^\d+$/.test(a.line)) tc.line = Number(a.line);
      if (a.time && !Number.isNaN(Number(a.time))) tc.timeSec = Number(a.time);
      const bad = /<(failure|error)\b([^>]*?)(\/>|>([\s\S]*?)<\/\1>)/.exec(content);
      if (bad) {
        tc.status = bad[1] === "error" ? "error" : "failed";
        const fa = attrs(bad[2] ?? "");
        if (fa.message) tc.message = fa.message;
        const text = decode(bad[4] ?? "").trim();
        if (text) tc.details = text;
      } else if (/<skipped\b/.test(content)) tc.status = "skipped";
      cases.push(tc);
    }
  }
  return cases;
}

/** Counts for a summary line: `12 tests, 1 failed, 2 skipped`. */
export function totalsOf(cases: readonly TestCase[]): TestTotals {
  const t = { total: cases.length, passed: 0, failed: 0, skipped: 0 };
  for (const c of cases) {
    if (c.status === "passed") t.passed++;
    else if (c.status === "skipped") t.skipped++;
    else t.failed++;
  }
  return t;
}
