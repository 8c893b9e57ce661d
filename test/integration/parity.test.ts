// The same pipeline on the host runtime and on docker gives the same outputs where the host has the tools.
import { describe, expect, it } from "vitest";
import { mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { dag, ReturnType } from "../../src/sdk/index.js";
import { DEBIAN, makeStateDir, runIn } from "../helpers/test-session.js";

async function pipeline(dir: string) {
  const src = dag.host().directory(dir);
  const base = dag
    .container()
    .from(DEBIAN)
    .withDirectory("/work", src)
    .withWorkdir("/work")
    .withEnvVariable("GREETING", "hi");
  const built = base.withExec([
    "sh",
    "-c",
    "mkdir -p out && sort input.txt > out/sorted.txt && echo $GREETING > out/greeting",
  ]);
  const [sorted, listing, code, stdin] = await Promise.all([
    built.file("out/sorted.txt").contents(),
    built.directory("out").entries(),
    base.withExec(["sh", "-c", "exit 4"], { expect: ReturnType.Any }).exitCode(),
    base.withExec(["tr", "a-z", "A-Z"], { stdin: "shout\n" }).stdout(),
  ]);
  const wc = await built.withExec(["sh", "-c", "wc -l < out/sorted.txt"]).stdout();
  return { sorted, listing, code, stdin, wc: wc.trim() };
}

describe("host and docker parity", () => {
  it("gives the same outputs on both runtimes", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "gantry-parity-"));
    await writeFile(path.join(dir, "input.txt"), "pear\napple\nfig\n");
    const d = await runIn("docker", await makeStateDir(), () => pipeline(dir));
    const h = await runIn("host", await makeStateDir(), () => pipeline(dir));
    expect(d.value).toEqual({
      sorted: "apple\nfig\npear\n",
      listing: ["greeting", "sorted.txt"],
      code: 4,
      stdin: "SHOUT\n",
      wc: "3",
    });
    expect(h.value).toEqual(d.value);
  });
});
