// The core API real Dagger modules call, through the CLI: dag.git on a local repository, dag.http from a
// loopback server, dag.currentModule, terminals, and Dagger calls Gantry lacks named before anything runs.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { copyFixture, tempDir } from "../unit/module-test-helpers.js";
import { runGantry } from "../unit/cli-test-helpers.js";
import { closeServer, listenLoopback } from "../helpers/test-session.js";

const { dir, cleanup } = tempDir();
const mod = copyFixture("dagger-core-api", dir);
const repo = path.join(dir, "repo");
let server: http.Server;
let port = 0;
const commits: Record<string, string> = {};

// A real repository: main with two commits, a tag on the first, and a branch of its own.
function makeRepo(): void {
  const git = (...args: string[]) =>
    execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@t", ...args], {
      cwd: repo,
      encoding: "utf8",
    }).trim();
  fs.mkdirSync(repo);
  git("init", "--quiet", "--initial-branch=main");
  fs.writeFileSync(path.join(repo, "a.txt"), "one\n");
  git("add", ".");
  git("commit", "--quiet", "-m", "first");
  git("tag", "v1");
  commits.first = git("rev-parse", "HEAD");
  git("checkout", "--quiet", "-b", "feature");
  fs.writeFileSync(path.join(repo, "feature.txt"), "feature\n");
  git("add", ".");
  git("commit", "--quiet", "-m", "feature");
  git("checkout", "--quiet", "main");
  fs.writeFileSync(path.join(repo, "a.txt"), "two\n");
  fs.mkdirSync(path.join(repo, "sub"));
  fs.writeFileSync(path.join(repo, "sub/b.txt"), "b\n");
  git("add", ".");
  git("commit", "--quiet", "-m", "second");
  commits.second = git("rev-parse", "HEAD");
}

beforeAll(async () => {
  makeRepo();
  server = http.createServer((req, res) => {
    if (req.url === "/files/tool.sh") res.end("#!/bin/sh\necho tool\n");
    else if (req.url === "/moved") {
      res.writeHead(302, { location: "/files/tool.sh" });
      res.end();
    } else if (req.url === "/hangup") req.socket.destroy();
    else if (req.url === "/cut") {
      // promises 100 bytes, sends 10, then drops the connection
      res.writeHead(200, { "content-length": "100" });
      res.write("0123456789", () => req.socket.destroy());
    } else {
      res.statusCode = 404;
      res.end("no");
    }
  });
  port = await listenLoopback(server);
});
afterAll(async () => {
  await closeServer(server);
  cleanup();
});

const call = (args: string[], runtime = "host") =>
  runGantry(["call", `--runtime=${runtime}`, "--progress=plain", ...args], {
    cwd: mod,
    stateDir: path.join(dir, "state"),
  });

describe("dag.git on local repositories", () => {
  it("lists a branch's tree, from a local path and from file://", async () => {
    const plain = await call(["git-branch", `--url=${repo}`, "entries"]);
    expect(plain.stderr).not.toMatch(/Error/);
    expect(plain.stdout).toBe("a.txt\nsub/\n");
    const viaUrl = await call([
      "git-branch",
      `--url=file://${repo}`,
      "--branch=feature",
      "entries",
    ]);
    expect(viaUrl.stdout).toBe("a.txt\nfeature.txt\n");
  });

  it("resolves a tag to its commit and reads a commit's file in a container", async () => {
    const tag = await call(["git-tag-commit", `--url=${repo}`, "--tag=v1"]);
    expect(tag.stdout).toBe(`${commits.first}\n`);
    const file = await call(
      ["git-commit-file", `--url=${repo}`, `--commit=${commits.first}`, "--path=a.txt", "stdout"],
      "docker",
    );
    expect(file.stderr).not.toMatch(/Error/);
    expect(file.stdout).toBe("one\n");
  });

  it("names a branch the repository lacks", async () => {
    const r = await call(["git-branch", `--url=${repo}`, "--branch=nope", "entries"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`has no branch "nope"`);
  });
});

describe("dag.http", () => {
  it("downloads a file from a loopback server, named after the URL", async () => {
    const url = `http://127.0.0.1:${port}/files/tool.sh`;
    expect((await call(["download", `--url=${url}`, "contents"])).stdout).toBe(
      "#!/bin/sh\necho tool\n",
    );
    expect((await call(["download", `--url=${url}`, "name"])).stdout).toBe("tool.sh\n");
  });

  it("follows a redirect, as fetch does", async () => {
    const r = await call(["download", `--url=http://127.0.0.1:${port}/moved`, "contents"]);
    expect(r.stdout).toBe("#!/bin/sh\necho tool\n");
  });

  it("says the server hung up, or the download broke off, instead of an internal error", async () => {
    const hangup = await call(["download", `--url=http://127.0.0.1:${port}/hangup`, "contents"]);
    expect(hangup.code).not.toBe(0);
    expect(hangup.stderr).toContain(
      `dag.http: GET http://127.0.0.1:${port}/hangup failed: the server closed the connection before answering`,
    );
    expect(hangup.stderr).not.toContain("internal error");
    const cut = await call(["download", `--url=http://127.0.0.1:${port}/cut`, "contents"]);
    expect(cut.code).not.toBe(0);
    expect(cut.stderr).toContain(
      `dag.http: GET http://127.0.0.1:${port}/cut: the download broke off before its end`,
    );
  });

  it("names the status of a failed download", async () => {
    const r = await call(["download", `--url=http://127.0.0.1:${port}/missing`, "contents"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`GET http://127.0.0.1:${port}/missing answered 404`);
  });
});

describe("dag.currentModule, terminals, and what Gantry lacks", () => {
  it("gives the module's name and its source folder", async () => {
    const r = await call(["whoami"]);
    expect(r.stdout).toBe("core-api: Hello from a template\n");
  });

  it("says a terminal needs one when the run has none, naming the default terminal command", async () => {
    // runGantry lends no terminal (as a pipe or CI job); test/integration/interactive-terminal.test.ts opens one
    const r = await call(["debug"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("Container.terminal() (/bin/sh) needs an interactive terminal");
  });

  it("refuses a function that calls missing Dagger API before it runs, naming each call and line", async () => {
    const r = await call(["docker"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("the module calls Dagger core API that Gantry does not have yet");
    expect(r.stderr).toMatch(
      /Container\.withUnixSocket at \.dagger\/src\/index\.ts:\d+:\d+ \(in docker\)/,
    );
    expect(r.stderr).toMatch(/Host\.unixSocket at \.dagger\/src\/index\.ts:\d+:\d+ \(in docker\)/);
    expect(r.stderr).not.toMatch(/is not a function/);
    // a call on `dag` itself is Dagger's even when the module has a member of the same name
    const llm = await call(["llm"]);
    expect(llm.code).not.toBe(0);
    expect(llm.stderr).toMatch(/dag\.llm at \.dagger\/src\/index\.ts:\d+:\d+ \(in llm\)/);
  });

  it("still calls the module's other functions, warning about the missing calls", async () => {
    const r = await call(["plain"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("still callable\n");
    expect(r.stderr).toMatch(/warning: Container\.withUnixSocket at .*\(in docker\)/);
    const fns = await runGantry(["functions"], { cwd: mod, stateDir: path.join(dir, "state") });
    expect(fns.stderr).toMatch(/warning: Host\.unixSocket at/);
  });
});
