import { createPool } from "./db";

const TODOS = ["write the README", "ship 1.0"];

/** Demo data for a development database; running it twice adds nothing. */
async function main(): Promise<void> {
  const pool = createPool();
  try {
    let added = 0;
    for (const title of TODOS) {
      const r = await pool.query(
        "INSERT INTO todos (title) SELECT $1 WHERE NOT EXISTS (SELECT 1 FROM todos WHERE title = $1)",
        [title],
      );
      added += r.rowCount ?? 0;
    }
    console.log(`seeded ${added} todos`);
  } finally {
    await pool.end();
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
