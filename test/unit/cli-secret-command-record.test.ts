// A `cmd:` secret's command line can hold the secret itself (`cmd:printf VALUE`, `cmd:echo $TOKEN`): nothing Gantry
// writes keeps it — checked by reading every file of the state dir after the call.
import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runGantry } from "./cli-test-helpers.js";
import { tempDir, writeTree } from "./module-test-helpers.js";

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => cleanup());

// Every file under `root`, as text.
function allText(root: string): string {
  let out = "";
  for (const e of fs.readdirSync(root, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out += fs.readFileSync(path.join(e.parentPath, e.name), "latin1");
  }
  return out;
}

describe("a cmd: secret's command line", () => {
  it("is kept out of the run record and every other file of the state dir", async () => {
    const root = path.join(dir, "project");
    writeTree(root, {
      "gantry.json": JSON.stringify({ name: "secretive", source: ".gantry" }),
      ".gantry/src/index.ts": `import { func, object, Secret } from "gantry";
@object()
export class Secretive {
  @func()
  async usesecret(token: Secret): Promise<string> {
    return \`\${(await token.plaintext()).length} characters\`;
  }
}
`,
    });
    const state = path.join(dir, "state");
    const r = await runGantry(
      ["--runtime=host", "call", "usesecret", "--token=cmd:printf c0mmandSecret9"],
      { cwd: root, stateDir: state },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe("14 characters");
    const written = allText(state);
    expect(written).toContain('"--token=cmd:***"'); // the record says it was a command
    expect(written).not.toContain("c0mmandSecret9");
    expect(written).not.toContain("printf c0mm");
  });
});
