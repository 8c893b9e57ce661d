import { Pool } from "pg";

/** One pool per process, from DATABASE_URL (postgres://user:pass@host:5432/name). */
export function createPool(url = process.env.DATABASE_URL): Pool {
  if (!url) throw new Error("DATABASE_URL is not set");
  return new Pool({ connectionString: url, max: 5 });
}
