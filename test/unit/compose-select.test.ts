import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadComposeProject } from "../../src/compose/load-compose.js";
import { selectServices } from "../../src/compose/select-services.js";
import type { ComposeProject, ComposeService } from "../../src/compose/compose-types.js";

const PROFILES = path.resolve(import.meta.dirname, "../fixtures/compose/profiles");

// A project from a name → dependencies table, for ordering tests without files.
function graph(deps: Record<string, string[]>, disabled: string[] = []): ComposeProject {
  const svc = (name: string): ComposeService => ({
    name,
    image: "x",
    environment: {},
    dependsOn: Object.fromEntries(
      (deps[name] ?? []).map((d) => [
        d.replace("?", ""),
        { condition: "service_started" as const, required: !d.endsWith("?") },
      ]),
    ),
    ports: [],
    expose: [],
    networks: {},
    volumes: [],
    profiles: disabled.includes(name) ? ["p"] : [],
    labels: {},
  });
  const names = Object.keys(deps);
  return {
    name: "g",
    dir: "/g",
    services: Object.fromEntries(
      names.filter((n) => !disabled.includes(n)).map((n) => [n, svc(n)]),
    ),
    disabledServices: Object.fromEntries(disabled.map((n) => [n, svc(n)])),
    activeProfiles: [],
    volumes: {},
    networks: {},
  };
}
const names = (p: ComposeProject, pick: string[]) => selectServices(p, pick).map((s) => s.name);

describe("selectServices", () => {
  it("orders dependencies first, each service once", () => {
    const p = graph({ web: ["api", "cache"], api: ["db", "cache"], db: [], cache: [], other: [] });
    expect(names(p, ["web"])).toEqual(["db", "cache", "api", "web"]);
    expect(names(p, ["api", "web"])).toEqual(["db", "cache", "api", "web"]);
    expect(names(p, [])).toEqual(["db", "cache", "api", "web", "other"]);
  });

  it("names the cycle", () => {
    const p = graph({ a: ["b"], b: ["c"], c: ["a"], d: ["a"] });
    expect(() => names(p, ["d"])).toThrow(
      "services depend on each other in a cycle: a -> b -> c -> a",
    );
  });

  it("rejects an unknown name, listing the services", () => {
    const p = graph({ b: [], a: [] }, ["c"]);
    expect(() => names(p, ["nope"])).toThrow(
      'no service "nope" in compose project g (services: a, b, c)',
    );
  });

  it("a disabled service runs when named or required by a dependent; optional ones are skipped", () => {
    const p = graph({ app: ["db", "metrics?"], db: [], metrics: [], tool: ["db"] }, [
      "db",
      "metrics",
      "tool",
    ]);
    expect(names(p, [])).toEqual(["db", "app"]);
    expect(names(p, ["tool"])).toEqual(["db", "tool"]);
    expect(names(p, ["metrics", "app"])).toEqual(["metrics", "db", "app"]);
  });
});

describe("profiles from a compose file", () => {
  it("enables services by profile and pulls explicitly named ones in", async () => {
    const { project } = await loadComposeProject({ files: [], cwd: PROFILES, env: {} });
    expect(Object.keys(project.services)).toEqual(["app", "db"]);
    expect(Object.keys(project.disabledServices)).toEqual(["migrate", "adminer", "metrics"]);
    expect(selectServices(project, []).map((s) => s.name)).toEqual(["db", "app"]);
    expect(selectServices(project, ["migrate"]).map((s) => s.name)).toEqual(["db", "migrate"]);
    const dev = await loadComposeProject({
      files: [],
      cwd: PROFILES,
      env: { COMPOSE_PROFILES: "debug" },
    });
    expect(selectServices(dev.project, []).map((s) => s.name)).toEqual([
      "db",
      "metrics",
      "app",
      "adminer",
    ]);
  });
});
