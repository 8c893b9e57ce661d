// The README's "A pipeline" module, verbatim, run as a new user would: three `gantry call check` on Docker in a
// committed git repository. Gantry must write nothing into the project (it is the source the module reads), so
// the second and third runs come from cache and `git status` stays empty.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunEvent } from "../../src/engine/events.js";
import { projectStateDir } from "../../src/store/project-state-dir.js";
import { makeStateDir, runCommand } from "../helpers/test-session.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const BIN = path.join(ROOT, "bin/gantry.js");
const NODE_IMAGE = "gantry-test/node:bookworm";

let project: string;
let state: string;

/** The first ```ts block under "## A pipeline" in README.md, with the image swapped for the local test image. */
function readmeModule(): string {
  const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## A pipeline"));
  const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  if (!block?.includes('from("node:22")'))
    throw new Error("README.md's pipeline module changed shape: update this test");
  return block.replace('from("node:22")', `from(${JSON.stringify(NODE_IMAGE)})`);
}

function git(args: string[]): string {
  return execFileSync("git", args, { cwd: project, encoding: "utf8" });
}

beforeAll(async () => {
  project = fs.realpathSync(await mkdtemp(path.join(os.tmpdir(), "gantry-readme-")));
  state = await makeStateDir();
  const files: Record<string, string> = {
    ".gantry/src/index.ts": readmeModule(),
    "package.json": JSON.stringify(
      {
        name: "readme-app",
        version: "1.0.0",
        private: true,
        scripts: { lint: "node -e \"console.log('lint ok')\"", test: "node test.js" },
      },
      null,
      2,
    ),
    "package-lock.json": JSON.stringify(
      {
        name: "readme-app",
        version: "1.0.0",
        lockfileVersion: 3,
        requires: true,
        packages: { "": { name: "readme-app", version: "1.0.0" } },
      },
      null,
      2,
    ),
    "test.js": "console.log('test ok');\n",
  };
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(project, rel)), { recursive: true });
    fs.writeFileSync(path.join(project, rel), text);
  }
  git(["init", "-q"]);
  git(["add", "-A"]);
  git(["-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "init"]);
});

afterAll(async () => {
  await rm(project, { recursive: true, force: true });
  await rm(state, { recursive: true, force: true });
});

// The exec steps of one run (from its trace in the state dir) with how each ended.
function execSteps(trace: string): { name: string; status: string }[] {
  const events = fs
    .readFileSync(trace, "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as RunEvent);
  const names = new Map<string, string>();
  for (const e of events) if (e.type === "step.start" && e.kind === "exec") names.set(e.id, e.name);
  return events.flatMap((e) =>
    e.type === "step.end" && names.has(e.id) ? [{ name: names.get(e.id)!, status: e.status }] : [],
  );
}

describe("the README's pipeline module", () => {
  it("runs three times on Docker: later runs are all cached, and the project stays clean", async () => {
    const runs = path.join(projectStateDir(state, project), "runs");
    const seen = new Set<string>();
    const results: { name: string; status: string }[][] = [];
    for (let i = 0; i < 3; i++) {
      const r = await runCommand("node", [BIN, "call", "--runtime=docker", "check"], {
        cwd: project,
        env: { GANTRY_STATE_DIR: state },
        timeoutMs: 300_000,
      });
      expect(r.stderr).not.toMatch(/changed while it was being sent/);
      expect(r.status, r.out).toBe(0);
      expect(r.stdout).toContain("lint ok");
      expect(r.stdout).toContain("test ok");
      expect(git(["status", "--porcelain", "--untracked-files=all"])).toBe("");
      const fresh = fs.readdirSync(runs).filter((f) => !seen.has(f));
      expect(fresh).toHaveLength(1);
      seen.add(fresh[0]!);
      results.push(execSteps(path.join(runs, fresh[0]!)));
    }
    const [first, second, third] = results;
    expect(first?.some((s) => s.status === "done")).toBe(true);
    for (const later of [second, third]) {
      expect(later?.length).toBeGreaterThanOrEqual(3); // npm ci, npm run lint, npm test
      expect(later?.filter((s) => s.status !== "cached")).toEqual([]);
    }
  });
});
