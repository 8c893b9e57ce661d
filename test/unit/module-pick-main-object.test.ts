import { describe, expect, it } from "vitest";
import { pickMainObject } from "../../src/module/pick-main-object.js";
import { closestName, toKebabCase, toPascalCase } from "../../src/module/names.js";

describe("pickMainObject (Dagger's rule)", () => {
  const c = (name: string, exported = true) => ({ name, exported });

  it("takes the exported class named like the module in PascalCase", () => {
    expect(pickMainObject([c("Helper"), c("MyCi")], "my-ci", "index.ts")).toBe("MyCi");
    expect(pickMainObject([c("Helper"), c("CI")], "ci", "index.ts")).toBe("CI");
  });

  it("takes an unexported class like an exported one (Dagger's examples export none)", () => {
    expect(pickMainObject([c("MyModule", false)], "my-module", "index.ts")).toBe("MyModule");
    expect(pickMainObject([c("Helper"), c("MyCi", false)], "my-ci", "index.ts")).toBe("MyCi");
    expect(pickMainObject([c("Only", false)], "my-ci", "index.ts")).toBe("Only");
  });

  it("otherwise takes the only exported class", () => {
    expect(pickMainObject([c("Pipeline"), c("Inner", false)], "my-ci", "index.ts")).toBe(
      "Pipeline",
    );
  });

  it("lists the candidates when it cannot choose", () => {
    expect(() => pickMainObject([c("A"), c("B")], "my-ci", "index.ts")).toThrow(
      /index.ts exports several @object\(\) classes \(A, B\) and none is named MyCi/,
    );
    expect(() => pickMainObject([c("A", false), c("B", false)], "my-ci", "index.ts")).toThrow(
      /index.ts declares several @object\(\) classes \(A, B\) and none is named MyCi/,
    );
    expect(() => pickMainObject([], "my-ci", "index.ts")).toThrow(/no class decorated/);
  });
});

describe("names", () => {
  it("converts between TypeScript and CLI spellings", () => {
    expect(toKebabCase("buildImage")).toBe("build-image");
    expect(toKebabCase("HTTPServer")).toBe("http-server");
    expect(toKebabCase("runE2e")).toBe("run-e2e");
    expect(toPascalCase("hello-dagger")).toBe("HelloDagger");
    expect(toPascalCase("my_ci")).toBe("MyCi");
  });

  it("suggests close names only", () => {
    expect(closestName("tset", ["test", "build"])).toBe("test");
    expect(closestName("zzz", ["test", "build"])).toBeUndefined();
  });
});
