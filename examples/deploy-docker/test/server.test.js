import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

test("VERSION names a version", () => {
  assert.match(readFileSync(new URL("../VERSION", import.meta.url), "utf8"), /^\S+/);
});
