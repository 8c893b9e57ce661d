// Dagger's core API that Gantry lacks is a table kept equal to the SDK, and each missing method throws by name.
import { describe, expect, it } from "vitest";
import * as sdk from "../../src/sdk/index.js";
import { DAGGER_CORE_API, UNSUPPORTED } from "../../src/sdk/dagger-core-api.js";
import { callerLocation } from "../../src/sdk/unsupported-api.js";

const CLASSES = {
  Query: sdk.Client,
  Container: sdk.Container,
  Directory: sdk.Directory,
  File: sdk.File,
  Host: sdk.Host,
  Service: sdk.Service,
  Secret: sdk.Secret,
  CacheVolume: sdk.CacheVolume,
  GitRepository: sdk.GitRepository,
  GitRef: sdk.GitRef,
  CurrentModule: sdk.CurrentModule,
} as const;

describe("the table of Dagger core API Gantry lacks", () => {
  it.each(Object.keys(CLASSES) as (keyof typeof CLASSES)[])(
    "%s: UNSUPPORTED is exactly Dagger's fields the SDK class does not implement",
    (type) => {
      const proto = CLASSES[type].prototype as unknown as Record<string, unknown>;
      const real = (n: string) =>
        Object.hasOwn(proto, n) && (proto[n] as { name?: string }).name !== "unsupported";
      const missing = DAGGER_CORE_API[type].filter((n) => !real(n));
      expect([...UNSUPPORTED[type]]).toEqual(missing);
      for (const n of DAGGER_CORE_API[type])
        expect(typeof proto[n], `${type}.${n}`).toBe("function");
    },
  );
});

describe("calling what Gantry lacks", () => {
  it("throws an UnsupportedError naming Dagger's method and the caller's file:line", () => {
    const ctr = sdk.dag.container();
    let err: unknown;
    try {
      (ctr as unknown as { withUnixSocket: (p: string) => unknown }).withUnixSocket("/x");
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(sdk.UnsupportedError);
    expect((err as Error).message).toMatch(
      /^Container\.withUnixSocket\(\) is part of Dagger's core API but not available in Gantry yet \(called at test\/unit\/dagger-core-api\.test\.ts:\d+:\d+\)$/,
    );
    expect(() => (sdk.dag as unknown as { llm: () => unknown }).llm()).toThrow(
      /^dag\.llm\(\) is part of Dagger's core API/,
    );
  });

  it("reads the first frame outside the SDK, through a bundle's ?load= URL", () => {
    const stack = [
      "Error",
      `    at Container.unsupported (${new URL("../../src/sdk/unsupported-api.ts", import.meta.url).href}:40:15)`,
      "    at build (file:///home/u/app/.dagger/src/index.ts?load=3:12:7)",
    ].join("\n");
    expect(callerLocation(stack)).toMatch(/home\/u\/app\/\.dagger\/src\/index\.ts:12:7$/);
  });
});
