// `--image=` given empty is a usage error naming the flag, before anything runs (it was a task failure: a TypeError
// from Container.from deep in the call). Other string flags may be empty.
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runGantry } from "./cli-test-helpers.js";
import { tempDir, writeTree } from "./module-test-helpers.js";

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => cleanup());

describe("an empty image flag", () => {
  it("is refused naming the flag and its default; an empty plain string is a value", async () => {
    const root = path.join(dir, "project");
    writeTree(root, {
      "gantry.json": JSON.stringify({ name: "imaged", source: ".gantry" }),
      ".gantry/src/index.ts": `import { func, object } from "gantry";
@object()
export class Imaged {
  image: string;
  constructor(image: string = "node:22-bookworm-slim") {
    this.image = image;
  }
  @func()
  async echo(word: string = "hi", baseImage: string = "debian:bookworm"): Promise<string> {
    return \`[\${word}] \${this.image} \${baseImage}\`;
  }
}
`,
    });
    const opts = { cwd: root, stateDir: path.join(dir, "state") };
    const empty = await runGantry(["--runtime=host", "call", "--image=", "echo"], opts);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain("--image needs an image reference, got an empty value");
    expect(empty.stderr).toContain(
      "e.g. --image=node:22-bookworm-slim (its default), or leave the flag out",
    );
    const base = await runGantry(["--runtime=host", "call", "echo", "--base-image="], opts);
    expect(base.code).toBe(2);
    expect(base.stderr).toContain("--base-image needs an image reference");
    const word = await runGantry(["--runtime=host", "call", "echo", "--word="], opts);
    expect(word.code, word.stderr).toBe(0);
    expect(word.stdout.trim()).toBe("[] node:22-bookworm-slim debian:bookworm");
  });
});
