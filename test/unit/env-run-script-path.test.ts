// A package manager's `run` prepends its own bin folders to PATH; that is how Gantry was launched, not the machine.
import path from "node:path";
import { describe, expect, it } from "vitest";
import { readEnv, withoutRunScriptPath } from "../../src/env.js";

const SYSTEM = "/usr/local/bin:/usr/bin:/bin";
const NPM_PREFIX =
  "/p/app/node_modules/.bin:/p/node_modules/.bin:/node_modules/.bin:" +
  "/usr/lib/node_modules/npm/node_modules/@npmcli/run-script/lib/node-gyp-bin";

describe("withoutRunScriptPath", () => {
  it("drops the leading bin folders npm, yarn, pnpm and bun prepend when run as a script", () => {
    expect(withoutRunScriptPath(`${NPM_PREFIX}:${SYSTEM}`, "example")).toBe(SYSTEM);
    expect(readEnv({ PATH: `${NPM_PREFIX}:${SYSTEM}`, npm_lifecycle_event: "test" }).path).toBe(
      SYSTEM,
    );
  });

  it("keeps a PATH the user set up, outside a package-manager script or after the prefix", () => {
    expect(withoutRunScriptPath(`${NPM_PREFIX}:${SYSTEM}`, undefined)).toBe(
      `${NPM_PREFIX}:${SYSTEM}`,
    );
    expect(withoutRunScriptPath(`${SYSTEM}:/p/node_modules/.bin`, "test")).toBe(
      `${SYSTEM}:/p/node_modules/.bin`,
    );
    // Nothing but bin folders: leave it alone rather than hand execs an empty PATH.
    expect(withoutRunScriptPath("/p/node_modules/.bin", "test")).toBe("/p/node_modules/.bin");
  });
});

describe("readEnv: the state dir", () => {
  it("is absolute, a relative GANTRY_STATE_DIR taken from the working directory", () => {
    expect(readEnv({ GANTRY_STATE_DIR: "rel/state" }).stateDir).toBe(path.resolve("rel/state"));
    expect(readEnv({ GANTRY_STATE_DIR: "/abs/state" }).stateDir).toBe("/abs/state");
  });
});
