// Which program a command runs, for "why did this run": a project whose tasks all start with `npm` (or go, make, …)
// must not have each new task explained as an edit of another ("command changed (earlier: npm run build)").
import { describe, expect, it } from "vitest";
import { programOf } from "../../src/engine/cache/explain-miss.js";

describe("programOf", () => {
  it("keeps what a dispatcher runs: npm's scripts, go's and make's commands are different programs", () => {
    expect(programOf("sh -c npm test")).toBe("npm test");
    expect(programOf("sh -c npm run build")).toBe("npm run build");
    expect(programOf("sh -c npm run lint")).toBe("npm run lint");
    expect(programOf("sh -c npm --silent run lint -- --fix")).toBe("npm run lint");
    expect(programOf("go vet ./...")).toBe("go vet");
    expect(programOf("sh -c CI=1 make -k lint")).toBe("make lint");
    expect(programOf("poetry run pytest -x")).toBe("poetry run pytest");
  });

  it("skips an option's value before the task: make -C dir lint runs lint", () => {
    expect(programOf("make -C dir lint")).toBe("make lint");
    expect(programOf("sh -c make -j 4 -f ci.mk test")).toBe("make test");
    expect(programOf("make --directory=dir lint")).toBe("make lint");
    expect(programOf("npm --prefix app run build")).toBe("npm run build");
    expect(programOf("pnpm -C packages/web test")).toBe("pnpm test");
    expect(programOf("go -C cmd/tool vet ./...")).toBe("go vet");
    expect(programOf("just -f ci.just lint")).toBe("just lint");
    expect(programOf("yarn --cwd web lint")).toBe("yarn lint");
    // options without a value, or with an optional one, are not followed by one
    expect(programOf("make -j lint")).toBe("make lint");
    expect(programOf("make -d lint")).toBe("make lint");
    expect(programOf("just -d sub lint")).toBe("just lint");
    expect(programOf("mvn -o test")).toBe("mvn test");
    expect(programOf("mvn -o package")).not.toBe(programOf("mvn -o test"));
  });

  it("an edit of the same task is still the same program", () => {
    expect(programOf("sh -c npm test -- --grep slow")).toBe(programOf("sh -c npm test"));
    expect(programOf("go test -race ./...")).toBe(programOf("go test ./..."));
  });

  it("other programs are their first word, past sh -c, a subshell and assignments", () => {
    expect(programOf("sh -c cat /b; echo c")).toBe("cat");
    expect(programOf("sh -c (npm audit --json || true)")).toBe("npm audit");
    expect(programOf("bash -c FOO=1 pytest -q")).toBe("pytest");
    expect(programOf("node --test test/")).toBe("node");
    expect(programOf("")).toBe("");
  });
});
