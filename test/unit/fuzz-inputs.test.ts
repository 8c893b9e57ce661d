// Hostile and random user input — compose files, `.env` files, ignore patterns and .gitignore files, CLI
// flags — never crashes, hangs or writes: each case either works or fails with a GantryError that names the
// input. Property-based (fast-check); GANTRY_FUZZ_RUNS=N runs N cases of each.
import { mkdtemp, mkdir, rm, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import fc from "fast-check";
import YAML from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadComposeProject } from "../../src/compose/load-compose.js";
import { parseDotenv } from "../../src/compose/read-dotenv.js";
import { isGantryError } from "../../src/errors.js";
import { parseFlags, type FlagTarget, type RawValue } from "../../src/module/parse-flags.js";
import { prepareArgs } from "../../src/module/prepare-args.js";
import type { ParamSignature } from "../../src/module/signature.js";
import { ContentStore } from "../../src/store/content-store.js";
import { hashHostDirectory } from "../../src/store/host-tree.js";
import { fuzzRuns, listAll } from "../helpers/fuzz-runs.js";

let tmp: string;
let store: ContentStore;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), "gantry-fuzz-inputs-"));
  store = new ContentStore(path.join(tmp, "store"));
  await store.init();
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

// Run `fn`, failing the case if it takes longer than `ms` (a hang) or throws anything but a GantryError.
async function outcome(fn: () => Promise<unknown>, ms = 10_000): Promise<Error | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`hung for more than ${ms} ms`)), ms);
  });
  try {
    await Promise.race([fn(), hang]);
    return undefined;
  } catch (err) {
    expect(isGantryError(err), String((err as Error).stack ?? err)).toBe(true);
    return err as Error;
  } finally {
    clearTimeout(timer);
  }
}

// Compose values that look like what compose files hold, so the cases reach the deeper validators.
const scalar = fc.oneof(
  fc.constantFrom(
    "8080:80",
    "127.0.0.1:5432:5432/tcp",
    "./data:/data:ro",
    "${HOME}",
    "${X:?boom}",
    "$$x",
  ),
  fc.constantFrom(
    "${X:-${Y:-z}}",
    "alpine:3",
    "always",
    "1.5",
    "30s",
    "-1",
    "",
    "~",
    "on-failure:3",
    "db",
  ),
  fc.string({ maxLength: 10 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
);
const key = fc.constantFrom(
  "image",
  "build",
  "command",
  "entrypoint",
  "environment",
  "ports",
  "volumes",
  "depends_on",
  "healthcheck",
  "networks",
  "profiles",
  "deploy",
  "restart",
  "working_dir",
  "user",
  "labels",
  "expose",
  "secrets",
  "tmpfs",
  "extends",
  "env_file",
  "condition",
  "test",
  "interval",
  "x-a",
  "context",
  "target",
  "published",
  "source",
  "type",
  "name",
  "external",
  "driver",
  "aliases",
  "<<",
);
const composeValue = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: "small" }, scalar, tie("list"), tie("map")),
  list: fc.array(tie("value"), { maxLength: 4 }),
  map: fc.dictionary(key, tie("value"), { maxKeys: 5 }),
})).value;
const composeDoc = fc.record(
  {
    services: fc.oneof(
      composeValue,
      fc.dictionary(
        fc.constantFrom("web", "db", "a b", ""),
        fc.dictionary(key, composeValue, { maxKeys: 6 }),
        { maxKeys: 3 },
      ),
    ),
    volumes: composeValue,
    networks: composeValue,
    name: scalar,
    "x-ext": composeValue,
  },
  { requiredKeys: [] },
);

let composeCase = 0;
// Write `text` as compose.yaml in a fresh folder and load it the way `gantry compose` does.
async function loadCompose(text: string) {
  const dir = path.join(tmp, `compose-${composeCase++}`);
  await mkdir(dir);
  await writeFile(path.join(dir, "compose.yaml"), text);
  const before = await listAll(dir);
  const error = await outcome(() =>
    loadComposeProject({ cwd: dir, env: { HOME: "/home/u" }, files: [] }),
  );
  expect(await listAll(dir)).toEqual(before); // loading writes nothing
  return error;
}

describe("compose files", () => {
  it("of random shape load or fail with a ComposeError naming the file", async () => {
    let failed = 0;
    await fc.assert(
      fc.asyncProperty(composeDoc, async (doc) => {
        const error = await loadCompose(YAML.stringify(doc));
        if (error) {
          failed++;
          // the file, or the top-level `name:` (which may come from any of the merged files)
          expect(error.message).toMatch(/compose\.yaml|from the top-level name/);
        }
      }),
      { numRuns: fuzzRuns(150) },
    );
    expect(failed).toBeGreaterThan(0);
  });

  it.each([
    [
      "flow sequences",
      (n: number) =>
        `services:\n  a:\n    image: x\n    x-deep: ${"[".repeat(n)}${"]".repeat(n)}\n`,
    ],
    [
      "flow mappings",
      (n: number) => `x-deep: ${"{a: ".repeat(n)}1${"}".repeat(n)}\nservices: {}\n`,
    ],
    [
      "block mappings",
      (n: number) =>
        `x-deep:\n${Array.from({ length: n }, (_, i) => `${" ".repeat(i + 1)}k:\n`).join("")}`,
    ],
  ])(
    "nested 250 to 20,000 levels deep in %s fail with a ComposeError that says so",
    async (_, make) => {
      // block nesting n deep is n²/2 bytes of indentation: 3,000 levels is 4.5 MB (20,000 would pass the 16 MiB cap)
      for (const n of make.length > 0 && make(2).startsWith("x-deep:\n")
        ? [250, 1000, 3000]
        : [250, 1000, 20_000]) {
        const error = await loadCompose(make(n));
        expect(error?.name).toBe("ComposeError");
        expect(error?.message).toMatch(/^compose\.yaml.*: nested more than 200 levels deep/);
      }
    },
  );

  it("with an anchor used inside itself fail with a ComposeError, not a stack overflow", async () => {
    const error = await loadCompose("services:\n  a: &a\n    image: x\n    labels: *a\n");
    expect(error?.message).toBe(
      "compose.yaml at services.a.labels: a YAML alias refers to a node that contains it",
    );
  });

  it("that name /dev/zero as their env_file fail fast naming it", async () => {
    const error = await loadCompose("services:\n  a:\n    image: x\n    env_file: /dev/zero\n");
    expect(error?.message).toMatch(/\/dev\/zero.*larger than 16 MiB/);
  });
});

describe(".env files", () => {
  const fragment = fc.constantFrom(
    "A",
    "b_1",
    "=",
    '"',
    "'",
    "\\",
    "$",
    "{",
    "}",
    ":-",
    "?",
    "#",
    " ",
    "\n",
    "export ",
    "\r\n",
    "é",
    "\uFEFF",
    "${",
    "$$",
  );
  it("of random text parse or fail with an error naming the file and line", () => {
    let failed = 0;
    fc.assert(
      fc.property(fc.array(fragment, { maxLength: 40 }), (parts) => {
        try {
          parseDotenv(parts.join(""), "fuzz.env", [], () => undefined);
        } catch (err) {
          failed++;
          expect(isGantryError(err), String(err)).toBe(true);
          expect((err as Error).message).toMatch(/^fuzz\.env.*line \d+/);
        }
      }),
      { numRuns: fuzzRuns(1000) },
    );
    expect(failed).toBeGreaterThan(0);
  });
});

describe("ignore patterns and .gitignore files", () => {
  const piece = fc.constantFrom(
    "*",
    "**",
    "?",
    "/",
    "!",
    "[",
    "]",
    "{",
    "}",
    ",",
    "a",
    "b",
    ".",
    "..",
    "\\",
    "#",
    " ",
    "[z-a]",
    "[!a]",
    "**/",
    "\n",
  );
  const pattern = fc.array(piece, { minLength: 1, maxLength: 8 }).map((p) => p.join(""));
  it("select a subset of the files or fail naming the pattern, without hanging", async () => {
    const root = path.join(tmp, "ignore-root");
    for (const f of ["a/b/c.txt", "a/.hidden", "b/a", "x y/z", "[a]/b"]) {
      await mkdir(path.dirname(path.join(root, f)), { recursive: true });
      await writeFile(path.join(root, f), f);
    }
    await symlink("../..", path.join(root, "a/up"));
    await mkdir(path.join(root, ".git"), { recursive: true });
    await writeFile(path.join(root, "a/.gitignore"), "");
    const all = new Set(await listAll(root));
    await fc.assert(
      fc.asyncProperty(
        fc.array(pattern, { maxLength: 4 }),
        fc.array(pattern, { maxLength: 4 }),
        fc.array(pattern, { maxLength: 4 }),
        async (include, exclude, gitignore) => {
          await writeFile(path.join(root, "a/.gitignore"), gitignore.join("\n"));
          let tree: Awaited<ReturnType<typeof hashHostDirectory>> | undefined;
          const error = await outcome(async () => {
            tree = await hashHostDirectory(root, { include, exclude, gitignore: true }, store);
          });
          if (error)
            expect(
              [...include, ...exclude].some((p) => error.message.includes(JSON.stringify(p))),
            ).toBe(true);
          for (const p of Object.keys(tree?.entries ?? {})) expect(all.has(p), p).toBe(true);
        },
      ),
      { numRuns: fuzzRuns(200) },
    );
  });
});

describe("module arguments and CLI flags", () => {
  const core = (
    name: "Directory" | "File" | "Secret" | "Container" | "Service" | "CacheVolume",
  ) => ({ kind: "core" as const, name });
  const params: ParamSignature[] = [
    { name: "source", type: core("Directory"), optional: true },
    { name: "config", type: core("File"), optional: true },
    { name: "token", type: core("Secret"), optional: true },
    { name: "base", type: core("Container"), optional: true },
    { name: "db", type: core("Service"), optional: true },
    { name: "cache", type: core("CacheVolume"), optional: true },
    { name: "fast", type: { kind: "boolean" }, optional: true },
    { name: "retryCount", type: { kind: "number" }, optional: true },
    { name: "tags", type: { kind: "list", of: { kind: "number" } }, optional: true },
    {
      name: "mode",
      type: { kind: "enum", name: "Mode", members: [{ name: "A", value: "a" }] },
      optional: true,
    },
    { name: "name", type: { kind: "string" }, optional: false },
  ];
  // `cmd:` is left out on purpose: a cmd: secret runs a shell command, which a fuzzer must not do.
  const word = fc.constantFrom(
    "--source",
    "--config",
    "--token",
    "--base",
    "--db",
    "--cache",
    "--fast",
    "--retry-count",
    "--retryCount",
    "--tags",
    "--mode",
    "--name",
    "--nope",
    "-x",
    "--",
    "-1",
    "stdout",
    ".",
    "/",
    "/dev/null",
    "/proc/self",
    "env:HOME",
    "env:NOPE",
    "file:/etc/hostname",
    "file:/",
    "tcp://db:5432",
    "tcp://db:0",
    "http://x",
    "1e999",
    "a,b",
    "",
    "=",
    "--fast=maybe",
    "--tags=1,x",
    "--source=",
    "--mode=b",
    "--name=\u0000",
  );
  it("parse and check, or fail with a UsageError naming a flag", () => {
    let failed = 0;
    fc.assert(
      fc.property(fc.array(word, { maxLength: 8 }), (tokens) => {
        const values = new Map<string, RawValue>();
        const target: FlagTarget = { owner: "function test", params, values };
        try {
          parseFlags(tokens, 0, [target]);
          prepareArgs(params, values, "function test", {
            cwd: tmp,
            hostEnv: { HOME: "/root" },
            mod: { rootDir: tmp },
          });
        } catch (err) {
          failed++;
          expect(isGantryError(err), String(err)).toBe(true);
          expect((err as Error).message).toMatch(/--[a-z]|-x/);
        }
      }),
      { numRuns: fuzzRuns(2000) },
    );
    expect(failed).toBeGreaterThan(0);
  });
});
