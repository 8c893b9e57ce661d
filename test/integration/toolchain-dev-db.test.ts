// One development database: `dev start` runs the app with PostgreSQL on the data the db tasks made (migrate and
// seed before, then the server sees them); while it runs, db tasks talk to that server instead of starting a second
// one on the same data; `db shell` is psql on a real terminal (tmux); `dev stop` keeps the data.
import { randomBytes } from "node:crypto";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runGantry } from "../unit/cli-test-helpers.js";
import { tempDir } from "../unit/module-test-helpers.js";
import { hasTmux, startTmux } from "../helpers/tmux-session.js";
import { removeDevDataVolumes } from "../helpers/test-session.js";
import { copyToolchainFixture } from "../helpers/toolchain-fixture.js";

const BIN = path.resolve(import.meta.dirname, "../../bin/gantry.js");
const tmp = tempDir("gantry-tc-dev-db-");
const name = `node_dev_${randomBytes(4).toString("hex")}`;
let project: string;
let stateDir: string;

/** A container service started by the run, in plain progress (a host service is `host service …`). */
const SERVER_STEP = /[▶✔] service /;

beforeAll(() => {
  process.env.NODE_DB_NAME = name;
  ({ project, stateDir } = copyToolchainFixture(tmp.dir, "node-db"));
});
afterAll(async () => {
  await gantry(["call", "dev", "stop"]).catch(() => undefined);
  delete process.env.NODE_DB_NAME;
  try {
    removeDevDataVolumes(name);
  } catch {
    // already gone
  }
  tmp.cleanup();
});

async function gantry(args: string[]) {
  const r = await runGantry(["--progress=plain", ...args], {
    cwd: project,
    stateDir,
    env: { NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS ?? "" },
  });
  if (r.code !== 0) console.error(r.stderr.slice(-3000));
  return r;
}

// The dev server's answer, asking until it listens (and its database accepts connections).
async function items(url: string): Promise<number> {
  let last = "";
  const until = Date.now() + 90_000;
  while (Date.now() < until) {
    try {
      const r = await fetch(`${url}/items`, { signal: AbortSignal.timeout(5_000) });
      last = await r.text();
      if (r.ok) return (JSON.parse(last) as { items: number }).items;
    } catch (e) {
      last = String(e);
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`the dev server never answered /items; last answer: ${last}`);
}

describe("the development database shared by dev start and the db tasks", () => {
  it("the dev server sees what db migrate and seed made, db tasks reach the running server, dev stop keeps the data", async () => {
    // before dev start, a db task starts a server of its own on the data volume (a "service" step)
    const migrate = await gantry(["call", "db", "migrate"]);
    expect(migrate.code).toBe(0);
    expect(migrate.stderr).toMatch(SERVER_STEP);
    expect((await gantry(["call", "db", "seed"])).stdout).toMatch(/seeded 2 items/);

    const up = await gantry(["call", "dev", "start", "--host-port=0"]);
    expect(up.code).toBe(0);
    expect(up.stdout).toMatch(
      new RegExp(
        `data in volume gantry-cache-${name}-postgres-data-[0-9a-f]{12}, shared with the db tasks`,
      ),
    );
    const url = /3000\/tcp → (http:\/\/[\d.]+:\d+)/.exec(up.stdout)?.[1];
    expect(url).toBeDefined();
    expect(await items(url!)).toBe(2);

    // while the dev server runs, a db task uses it (a host port bound as postgres), and the app sees the write at once
    const insert = await gantry([
      "call",
      "db",
      "shell",
      "--command",
      "INSERT INTO items (name, price) VALUES ('plum', 5)",
    ]);
    expect(insert.code).toBe(0);
    // the running server, reached through a host port, and no second server on the same data
    expect(insert.stderr).toMatch(/host service 5432→127\.0\.0\.1:\d+/);
    expect(insert.stderr).not.toMatch(SERVER_STEP);
    expect(await items(url!)).toBe(3);

    const stop = await gantry(["call", "dev", "stop"]);
    expect(stop.stdout).toMatch(/stopped and removed: .*-app/);
    const count = await gantry(["call", "db", "shell", "--command", "SELECT count(*) FROM items"]);
    expect(count.stdout.trim()).toBe("3");
  }, 900_000);

  it.skipIf(!hasTmux())(
    "db shell is psql on a real terminal, on the development database",
    async () => {
      const env = {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        HOME: stateDir,
        TERM: "screen",
        GANTRY_STATE_DIR: stateDir,
        NODE_DB_NAME: name,
        NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS ?? "",
      };
      await using t = startTmux(["node", BIN, "--progress=plain", "call", "db", "shell"], {
        cwd: project,
        env,
      });
      await t.waitFor(new RegExp(`${name}_dev=#`), 300_000);
      t.type("SELECT string_agg(name, '+' ORDER BY name) AS fruit FROM items;");
      await t.waitFor(/apple\+pear\+plum/);
      t.type("\\q");
      const screen = await t.waitFor(/\[exited \d+\]/);
      expect(screen).toContain("psql closed");
      expect(screen).toContain("[exited 0]");
    },
    600_000,
  );
});
