// A log the user's dev server keeps writing inside the source directory: the container must get one consistent
// snapshot of it, the very bytes the cache key was computed from (before, the upload failed with "Size mismatch").
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dag } from "../../src/sdk/index.js";
import { BUSYBOX, makeStateDir, runIn } from "../helpers/test-session.js";

let dir: string;
let state: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "gantry-torn-"));
  state = await makeStateDir();
  await writeFile(path.join(dir, "app.js"), "console.log('app')\n");
  await writeFile(path.join(dir, "server.log"), "started\n");
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await rm(state, { recursive: true, force: true });
});

describe("a file appended to during the upload", () => {
  it("reaches the container as one consistent snapshot whose digest is the one hashed", async () => {
    // another process, as a dev server would be: a log line every 10 ms for the whole run
    const writer = spawn(
      process.execPath,
      [
        "-e",
        `const fs=require("fs");let n=0;setInterval(()=>fs.appendFileSync(${JSON.stringify(path.join(dir, "server.log"))},"request "+(++n)+" "+"x".repeat(300)+"\\n"),10)`,
      ],
      { stdio: "ignore" },
    );
    try {
      await new Promise((r) => setTimeout(r, 300));
      const run = await runIn("docker", state, async () => {
        const ctr = dag.container().from(BUSYBOX).withDirectory("/src", dag.host().directory(dir));
        // one evaluation of the directory: the bytes it was hashed from, and what the exec saw
        const [hashed, inside] = await Promise.all([
          ctr.directory("/src").file("server.log").contents(),
          ctr
            .withExec([
              "sh",
              "-c",
              "sleep 0.3; sha256sum /src/server.log; tail -c 1 /src/server.log | od -c",
            ])
            .stdout(),
        ]);
        return { hashed, inside };
      });
      const sha = createHash("sha256").update(run.value.hashed).digest("hex");
      expect(run.value.inside.split(" ")[0]).toBe(sha);
      expect(run.value.hashed.length).toBeGreaterThan("started\n".length);
      expect(run.value.inside).toContain("\\n"); // ends with a whole line: od prints the last byte as \n
    } finally {
      writer.kill();
    }
  });
});
