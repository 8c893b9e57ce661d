// Tests against a fresh PostgreSQL; the db group wraps the project's own migrate/rollback/seed against a database
// whose data outlives each run, and `db reset` really drops it. Also: the extra-CA option lets npm install inside
// containers behind a TLS-intercepting proxy, and security reports an unreachable audit as "not checked".
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { removeDevDataVolumes } from "../helpers/test-session.js";
import { runGantry } from "../unit/cli-test-helpers.js";
import { tempDir } from "../unit/module-test-helpers.js";
import { copyToolchainFixture } from "../helpers/toolchain-fixture.js";

const tmp = tempDir("gantry-tc-db-");
const name = `node_db_${randomBytes(4).toString("hex")}`;
let project: string;
let stateDir: string;

beforeAll(() => {
  process.env.NODE_DB_NAME = name;
  ({ project, stateDir } = copyToolchainFixture(tmp.dir, "node-db"));
});
afterAll(() => {
  delete process.env.NODE_DB_NAME;
  try {
    removeDevDataVolumes(name);
  } catch {
    // already gone
  }
  tmp.cleanup();
});

const gantry = async (args: string[]) => {
  const r = await runGantry(["--progress=plain", ...args], { cwd: project, stateDir });
  if (r.code !== 0) console.error(r.stderr.slice(-3000));
  return r;
};

describe("database tasks", () => {
  it("runs the tests against a fresh PostgreSQL reachable as postgres:5432", async () => {
    const r = await gantry(["call", "test"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/# pass 1/);
  });

  it("migrates, keeps the data between runs, rolls back --step N, seeds and really drops on reset", async () => {
    const m1 = await gantry(["call", "db", "migrate"]);
    expect(m1.code).toBe(0);
    expect(m1.stdout).toMatch(/applied 001_items\napplied 002_price/);
    // a new run, a new server on the same volume: the migrations are still there
    const m2 = await gantry(["call", "db", "migrate"]);
    expect(m2.code).toBe(0);
    expect(m2.stdout).not.toMatch(/applied/);

    expect((await gantry(["call", "db", "seed"])).stdout).toMatch(/seeded 2 items/);
    const count = async () =>
      (
        await gantry(["call", "db", "shell", "--command", "SELECT count(*) FROM items"])
      ).stdout.trim();
    expect(await count()).toBe("2");

    const rb = await gantry(["call", "db", "rollback", "--step", "2"]);
    expect(rb.code).toBe(0);
    expect(rb.stdout).toMatch(/rolled back 002_price\nrolled back 001_items/);
    expect((await gantry(["call", "db", "migrate"])).stdout).toMatch(/applied 001_items/);

    // a table made outside the migrations must not survive a reset
    await gantry(["call", "db", "shell", "--command", "CREATE TABLE stray (x int)"]);
    const reset = await gantry(["call", "db", "reset"]);
    expect(reset.code).toBe(0);
    expect(reset.stdout).toMatch(/dropped database \w+_dev/);
    expect(reset.stdout).toMatch(/seeded 2 items/);
    expect(await count()).toBe("2");
    const stray = await runGantry(
      ["--progress=plain", "call", "db", "shell", "--command", "SELECT * FROM stray"],
      { cwd: project, stateDir },
    );
    expect(stray.code).toBe(1);
    expect(stray.stderr).toMatch(/task db shell failed/);
    expect(stray.stderr).toMatch(/relation "stray" does not exist/);
  }, 900_000);

  it("names the option that picks the tests' database image when that image cannot be had", async () => {
    const mod = path.join(project, ".gantry/src/index.ts");
    const src = fs.readFileSync(mod, "utf8");
    fs.writeFileSync(
      mod,
      src.replace('"gantry-test/postgres:15"', '"gantry-test/no-such-postgres:1"'),
    );
    try {
      const r = await runGantry(["--progress=plain", "call", "test"], { cwd: project, stateDir });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("gantry-test/no-such-postgres:1");
      expect(r.stderr).toMatch(
        /Hint: .*; or set the tests' database image in the module: postgres: \{ image: "REF" \}/,
      );
    } finally {
      fs.writeFileSync(mod, src);
    }
  }, 300_000);

  it("db shell without a terminal says so and names --command, not Container.terminal()", async () => {
    const r = await runGantry(["--progress=plain", "call", "db", "shell"], {
      cwd: project,
      stateDir,
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      "db shell (psql on the development database) needs an interactive terminal, and this run has none",
    );
    expect(r.stderr).toContain('run SQL with --command: gantry call db shell --command "SELECT 1"');
    expect(r.stderr).not.toContain("Container.terminal()");
  }, 300_000);

  it("gives a second checkout of the project its own development database", async () => {
    const second = path.join(tmp.dir, "second-checkout");
    fs.cpSync(project, second, { recursive: true });
    await gantry(["call", "db", "shell", "--command", "CREATE TABLE only_first (x int)"]);
    const other = await runGantry(
      ["--progress=plain", "call", "db", "shell", "--command", "SELECT count(*) FROM only_first"],
      { cwd: second, stateDir },
    );
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/relation "only_first" does not exist/);
    const mine = await gantry([
      "call",
      "db",
      "shell",
      "--command",
      "SELECT count(*) FROM only_first",
    ]);
    expect(mine.stdout.trim()).toBe("0");
  }, 600_000);

  it("reports an unreachable audit as not checked, and fails on a committed secret with the scanner's output", async () => {
    const ok = await gantry(["call", "security"]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(
      /^not checked: dependency audit \(npm audit --audit-level=high\) could not reach/m,
    );
    expect(ok.stdout).toMatch(/secret scan \(secretlint\): no committed secrets found/);

    // a private key, assembled here so the repository itself holds none
    const key = [
      "-----BEGIN RSA PRIVATE ",
      "KEY-----\n",
      "MIIEowIBAAKCAQEA",
      "x".repeat(64),
      "\n-----END RSA PRIVATE ",
      "KEY-----\n",
    ].join("");
    fs.writeFileSync(path.join(project, "deploy.pem"), key);
    try {
      const bad = await runGantry(["--progress=plain", "call", "security"], {
        cwd: project,
        stateDir,
      });
      expect(bad.code).toBe(1);
      expect(bad.stderr).toMatch(/task security failed/);
      expect(bad.stderr).toMatch(/deploy\.pem/);
      expect(bad.stderr).toMatch(/private key/i);
      expect(bad.stderr).not.toContain("x".repeat(64));
    } finally {
      fs.rmSync(path.join(project, "deploy.pem"));
    }
  });
});
