import { test } from "node:test";
import assert from "node:assert/strict";
import { greet } from "../src/greet.js";
import { createServer } from "../src/server.js";

test("greets by name", () => assert.equal(greet("gantry"), "hello, gantry"));
test("greets the world by default", () => assert.equal(greet(""), "hello, world"));

test("serves /hello over HTTP", async () => {
  const server = createServer().listen(0);
  await new Promise((r) => server.once("listening", r));
  const { port } = server.address();
  const body = await (await fetch(`http://127.0.0.1:${port}/hello?name=ci`)).text();
  server.close();
  assert.equal(body, "hello, ci\n");
});
