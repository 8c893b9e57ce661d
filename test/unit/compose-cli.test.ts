// `gantry compose` flags and file errors as a person meets them: --project-directory as docker compose has it,
// -f naming a folder, and a build context that is not there (relative to the project folder, not the cwd).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runGantry } from "./cli-test-helpers.js";
import { loadComposeProject } from "../../src/compose/load-compose.js";
import { serviceContainer } from "../../src/compose/run/service-container.js";
import { ComposeError } from "../../src/errors.js";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "gantry-compose-cli-"));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

// A folder holding `files` (name → content; "/" in a name makes subfolders).
function folder(name: string, files: Record<string, string>): string {
  const dir = path.join(root, name);
  for (const [f, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.writeFileSync(path.join(dir, f), text);
  }
  return dir;
}

const run = (args: string[], cwd: string) =>
  runGantry(["compose", ...args], { cwd, stateDir: path.join(root, "state") });

describe("--project-directory", () => {
  const project = folder("proj", {
    "compose.yaml":
      "services:\n  app:\n    build: ./app\n    image: app:${TAG}\n    volumes: ['./data:/data']\n",
    ".env": "TAG=from-dotenv\n",
    "app/Dockerfile": "FROM scratch\n",
  });
  const elsewhere = folder("elsewhere", { README: "no compose file here\n" });

  it("finds the file there, reads .env from there and resolves relative paths against it", async () => {
    const r = await run(["--project-directory", project, "config"], elsewhere);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("image: app:from-dotenv");
    expect(r.stdout).toContain(`context: ${path.join(project, "app")}`);
    expect(r.stdout).toContain(`source: ${path.join(project, "data")}`);
  });

  it("with -f elsewhere: the folder still decides relative paths and .env (the = form too)", async () => {
    const files = folder("files", {
      "other.yaml": "services:\n  app:\n    build: ./app\n    image: app:${TAG}\n",
    });
    const r = await run(
      ["-f", path.join(files, "other.yaml"), `--project-directory=${project}`, "config"],
      elsewhere,
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("image: app:from-dotenv");
    expect(r.stdout).toContain(`context: ${path.join(project, "app")}`);
  });

  it("a folder that does not exist is an error naming it, not a search of its parents", async () => {
    const r = await run(["--project-directory", path.join(project, "nope"), "config"], elsewhere);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(
      `project directory ${path.join(project, "nope")} is not a directory`,
    );
  });
});

describe("file errors", () => {
  it("-f naming a folder says so, with the path, instead of EISDIR", async () => {
    const dir = folder("fdir", { "sub/compose.yaml": "services: {}\n" });
    const r = await run(["-f", "sub", "config"], dir);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("cannot read compose file sub: it is a directory");
    expect(r.stderr).not.toContain("EISDIR");
  });

  it("a missing build context names the service and says it starts at the project folder", async () => {
    const dir = folder("noctx", { "compose.yaml": "services:\n  api:\n    build: ./api\n" });
    const { project } = await loadComposeProject({ files: [], cwd: dir, env: {} });
    const api = project.services.api;
    if (!api) throw new Error("no api service");
    let err: unknown;
    try {
      serviceContainer(project, api);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ComposeError);
    expect((err as ComposeError).message).toBe(
      `service api: build context ${path.join(dir, "api")} is not a directory (or does not exist)`,
    );
    expect((err as ComposeError).hint).toContain(`starts at the project folder ${dir}`);
    expect((err as ComposeError).hint).not.toContain("current directory");
  });
});
