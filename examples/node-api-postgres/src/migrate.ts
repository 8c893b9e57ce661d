import type { Pool } from "pg";
import { createPool } from "./db";
import { migrations } from "./migrations";

async function applied(pool: Pool): Promise<string[]> {
  await pool.query("CREATE TABLE IF NOT EXISTS schema_migrations (id text PRIMARY KEY)");
  const { rows } = await pool.query<{ id: string }>("SELECT id FROM schema_migrations ORDER BY id");
  return rows.map((r) => r.id);
}

/** Applies every migration not applied yet, each in its own transaction; returns their ids. */
export async function migrateUp(pool: Pool): Promise<string[]> {
  const done = new Set(await applied(pool));
  const ran: string[] = [];
  for (const m of migrations.filter((m) => !done.has(m.id))) {
    const client = await pool.connect();
    try {
      await client.query("BEGIN");
      await client.query(m.up);
      await client.query("INSERT INTO schema_migrations (id) VALUES ($1)", [m.id]);
      await client.query("COMMIT");
      ran.push(m.id);
    } catch (e) {
      await client.query("ROLLBACK");
      throw e;
    } finally {
      client.release();
    }
  }
  return ran;
}

/** Undoes the last `steps` applied migrations, newest first; returns their ids. */
export async function migrateDown(pool: Pool, steps: number): Promise<string[]> {
  const last = (await applied(pool)).reverse().slice(0, steps);
  for (const id of last) {
    const m = migrations.find((x) => x.id === id);
    if (!m) throw new Error(`migration ${id} is applied but unknown to this code`);
    await pool.query("BEGIN");
    await pool.query(m.down);
    await pool.query("DELETE FROM schema_migrations WHERE id = $1", [id]);
    await pool.query("COMMIT");
  }
  return last;
}

async function main(): Promise<void> {
  const [direction = "up", steps = "1"] = process.argv.slice(2);
  const pool = createPool();
  try {
    if (direction === "up") {
      const ran = await migrateUp(pool);
      console.log(ran.length ? ran.map((id) => `applied ${id}`).join("\n") : "nothing to migrate");
    } else if (direction === "down") {
      const n = Number(steps);
      if (!Number.isInteger(n) || n < 1)
        throw new Error(`steps must be a positive integer: ${steps}`);
      for (const id of await migrateDown(pool, n)) console.log(`rolled back ${id}`);
    } else {
      throw new Error(`usage: migrate.js up | down [steps]`);
    }
  } finally {
    await pool.end();
  }
}

if (require.main === module) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
