import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import { createHandler, titleOf } from "../src/app";
import { createPool } from "../src/db";
import { migrateDown, migrateUp } from "../src/migrate";

const pool = createPool();
let server: Server;
let base: string;

before(async () => {
  await migrateUp(pool);
  await pool.query("TRUNCATE todos RESTART IDENTITY");
  server = createServer(createHandler(pool));
  await new Promise<void>((resolve) => server.listen(0, resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  await new Promise((resolve) => server.close(resolve));
  await pool.end();
});

test("titleOf trims and refuses empty titles", () => {
  assert.equal(titleOf({ title: "  milk " }), "milk");
  assert.equal(titleOf({ title: " " }), undefined);
  assert.equal(titleOf(null), undefined);
});

test("health answers once the database does", async () => {
  const res = await fetch(`${base}/health`);
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { status: "ok" });
});

test("creates, lists and completes todos in PostgreSQL", async () => {
  const created = await fetch(`${base}/api/todos`, {
    method: "POST",
    body: JSON.stringify({ title: "buy milk" }),
  });
  assert.equal(created.status, 201);
  const todo = (await created.json()) as { id: number };
  const done = await fetch(`${base}/api/todos/${todo.id}/done`, { method: "POST" });
  assert.equal(done.status, 200);
  const list = (await (await fetch(`${base}/api/todos`)).json()) as { todos: unknown[] };
  assert.deepEqual(list.todos, [{ id: todo.id, title: "buy milk", done: true }]);
});

test("refuses a todo without a title", async () => {
  const res = await fetch(`${base}/api/todos`, { method: "POST", body: "{}" });
  assert.equal(res.status, 400);
});

test("migrations roll back and apply again", async () => {
  assert.deepEqual(await migrateDown(pool, 1), ["002_todos_created_at"]);
  assert.deepEqual(await migrateUp(pool), ["002_todos_created_at"]);
});
