// How a module object prints as a call's result: its chainable names, then its plain fields with their values (as
// Dagger's CLI shows an object), never its object fields or functions' results.
import { describe, expect, it } from "vitest";
import * as sdk from "../../src/sdk/index.js";
import { formatResult } from "../../src/cli/call/format-result.js";
import type { ModuleSignature } from "../../src/module/signature.js";

class Organization {
  url = "https://github.com/dagger";
  topics = ["ci", "containers"];
  stars = 42;
  owner = { name: "x" };
  missing: string | undefined = undefined;
  repositories(): string[] {
    return [];
  }
}

const sig: ModuleSignature = {
  schema: 1,
  moduleName: "gh",
  mainObject: "Gh",
  warnings: [],
  objects: [
    {
      name: "Organization",
      exported: true,
      file: "index.ts",
      constructorParams: [],
      functions: [
        { name: "url", kind: "field", params: [], returns: { kind: "string" } },
        {
          name: "topics",
          kind: "field",
          params: [],
          returns: { kind: "list", of: { kind: "string" } },
        },
        { name: "stars", kind: "field", params: [], returns: { kind: "number" } },
        { name: "owner", kind: "field", params: [], returns: { kind: "object", name: "Owner" } },
        { name: "missing", kind: "field", params: [], returns: { kind: "string" } },
        {
          name: "repositories",
          kind: "method",
          params: [],
          returns: { kind: "list", of: { kind: "string" } },
        },
      ],
    },
  ],
};

describe("formatResult of a module object", () => {
  it("names what to chain, then its plain fields with their values", async () => {
    expect(await formatResult(new Organization(), sdk, sig)).toBe(
      [
        "Organization (chain one of: url, topics, stars, owner, missing, repositories)",
        "url: https://github.com/dagger",
        "topics: ci, containers",
        "stars: 42",
      ].join("\n"),
    );
  });
});
