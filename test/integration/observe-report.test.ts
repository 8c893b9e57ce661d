// `gantry report` opened in real headless Chromium: the timeline (parallel steps side by side, cache hits, the
// critical path), each step's command, cache decision and output, and the JUnit results the steps left.
import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { observeFixture } from "../helpers/observe-fixture.js";
import { chromiumDom, chromiumScreenshot } from "../helpers/chromium.js";
import { listRuns } from "../../src/observe/run-records.js";

// The left and right edges (percent) of a step's bar, read from the DOM Chromium built.
function barSpan(dom: string, label: RegExp): [number, number] {
  const rows = dom.split('<div class="row"').slice(1);
  const row = rows.find((r) => label.test(r.slice(0, r.indexOf('<div class="track">'))));
  const m = row && /style="left:([\d.]+)%;width:([\d.]+)%"/.exec(row);
  if (!m) throw new Error(`no bar for ${label}`);
  return [Number(m[1]), Number(m[1]) + Number(m[2])];
}

describe("gantry report", () => {
  it("writes one self-contained HTML file that Chromium shows as the run was", async () => {
    const f = observeFixture();
    const nonce = `rep-${Date.now()}`;
    const base = ["call", "--runtime=docker", "pipeline", "--source=app", `--nonce=${nonce}`];
    expect((await f.gantry(base)).code).toBe(0);
    // the second run fails its tests: lint comes from cache, the test step runs and fails with a JUnit report
    const failing = await f.gantry([...base, "--fail"]);
    expect(failing.code).toBe(1);

    const r = await f.gantry(["report"]);
    expect(r.code, r.stderr).toBe(0);
    const file = r.stdout.trim();
    expect(file.startsWith(f.state)).toBe(true); // in the state dir, not in the project
    expect(existsSync(file)).toBe(true);
    const html = readFileSync(file, "utf8");
    // self-contained: no script, and nothing that would fetch (a CSP forbids it anyway)
    expect(html).not.toMatch(/<script|<link|src=|url\(http|@import/i);
    expect(html).toContain("default-src 'none'");

    const dom = await chromiumDom(file);
    expect(dom).toContain("gantry obs.pipeline");
    expect(dom).toMatch(/<span id="count-cached">1 from cache<\/span>/);
    expect(dom).toMatch(/<span id="test-totals">tests: 2\/3 passed, 1 failed, 0 skipped<\/span>/);
    // cache hit marked, failure marked, and the failed step on the critical path
    expect(dom).toMatch(
      /<div class="label"[^>]*>● withExec sh -c "sleep 1; echo lint[^<]*<\/div><div class="track"><div class="bar cached"/,
    );
    expect(dom).toMatch(
      /<div class="label"[^>]*>✘ withExec sh -c "mkdir -p reports[^<]*<\/div><div class="track"><div class="bar failed critical"/,
    );
    // the failed step is open, with its command, cache decision, output and failing test
    expect(dom).toMatch(/class="step st-failed" id="step-gantry-call" open=""/); // the function
    const failed = dom.slice(dom.search(/class="step st-failed" id="step-s\d+" open=""/));
    expect(failed).toMatch(/^class="step st-failed"/);
    expect(failed).toContain("/src/main.ts:1:14: error: expected 1, got 2");
    expect(failed).toContain("withNewFile /src/junit-template.xml changed");
    expect(failed).toContain(
      '<tr class="test-failed"><td>math</td><td>subtracts <span class="muted">app/main.test.ts:9</span>',
    );
    expect(failed).toContain("AssertionError: expected 1, got 2");

    // the first run: lint and test ran at the same time, so their bars overlap; the build came after both
    const firstRun = listRuns(path.join(path.dirname(path.dirname(file)), "runs"))[1]!;
    const out = path.join(f.work, "first.html");
    expect((await f.gantry(["report", firstRun, `--output=${out}`])).stdout.trim()).toBe(out);
    const dom1 = await chromiumDom(out);
    const lint = barSpan(dom1, /echo lint/);
    const test = barSpan(dom1, /tests ran/);
    const build = barSpan(dom1, /echo built/);
    expect(lint[0]).toBeLessThan(test[1]);
    expect(test[0]).toBeLessThan(lint[1]);
    expect(build[0]).toBeGreaterThanOrEqual(Math.max(lint[1], test[1]) - 1);
    expect(dom1).toMatch(/<span id="test-totals">tests: 2\/3 passed, 0 failed, 1 skipped<\/span>/);

    // a screenshot a person can look at (written beside the report)
    const png = path.join(f.work, "report.png");
    await chromiumScreenshot(file, png);
    expect(statSync(png).size).toBeGreaterThan(20_000);
  });

  it("says which runs exist when asked for one that does not", async () => {
    const f = observeFixture();
    expect(
      (await f.gantry(["call", "--runtime=docker", "chain", `--nonce=${Date.now()}`])).code,
    ).toBe(0);
    const r = await f.gantry(["report", "19990101"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^Error: no run "19990101" in this project: recent runs are \d{14}-[0-9a-f]{6}\n/,
    );
  });
});
