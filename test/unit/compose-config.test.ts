import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { loadComposeProject } from "../../src/compose/load-compose.js";
import { renderComposeConfig } from "../../src/compose/compose-config.js";
import type { ComposeProject, ComposeService } from "../../src/compose/compose-types.js";

const FIXTURES = path.resolve(import.meta.dirname, "../fixtures/compose");
const FULL = path.join(FIXTURES, "full");
const GOLDEN = path.join(FIXTURES, "full.config.golden.yaml");
const ENV = { PASSTHROUGH: "from-shell", FROM_ENV: "arg-from-env", HOME: "/home/tester" };

// Reverses every mapping's key order, to show that the output does not depend on it.
function reversed<T>(v: T): T {
  if (Array.isArray(v)) return v.map(reversed) as T;
  if (v === null || typeof v !== "object") return v;
  return Object.fromEntries(
    Object.entries(v)
      .reverse()
      .map(([k, x]) => [k, reversed(x)]),
  ) as T;
}

// A project of one service `s` (image x) with the given fields.
function oneService(fields: Partial<ComposeService>): ComposeProject {
  return {
    name: "p",
    dir: "/p",
    services: {
      s: {
        name: "s",
        image: "x",
        environment: {},
        dependsOn: {},
        ports: [],
        expose: [],
        networks: {},
        volumes: [],
        profiles: [],
        labels: {},
        ...fields,
      },
    },
    disabledServices: {},
    activeProfiles: [],
    volumes: {},
    networks: {},
  };
}

describe("renderComposeConfig", () => {
  it("matches the golden file for the full fixture (UPDATE_GOLDEN=1 rewrites it, then fails)", async () => {
    const { project } = await loadComposeProject({ files: [], cwd: FULL, env: ENV });
    const text = renderComposeConfig(project).replaceAll(FULL, "<project-dir>");
    if (process.env.UPDATE_GOLDEN === "1") {
      fs.writeFileSync(GOLDEN, text);
      // Never green while accepting: the file would only be compared with itself.
      expect.fail(
        `golden updated: ${GOLDEN} was rewritten; review the diff and re-run without UPDATE_GOLDEN`,
      );
    }
    expect(text).toBe(fs.readFileSync(GOLDEN, "utf8"));
  });

  it("has a stable key order whatever the model's order, and parses back as YAML", async () => {
    const { project } = await loadComposeProject({ files: [], cwd: FULL, env: ENV });
    const text = renderComposeConfig(project);
    expect(renderComposeConfig(reversed(project) as ComposeProject)).toBe(text);
    const data = parse(text) as { name: string; services: Record<string, { environment: object }> };
    expect(data.name).toBe("fullapp");
    expect(Object.keys(data.services)).toEqual(["api", "db", "migrate"]);
    expect(data.services.api?.environment).toEqual(project.services.api?.environment);
  });

  it("is a compose file: loading what it prints gives the same project back", async () => {
    const { project, warnings } = await loadComposeProject({ files: [], cwd: FULL, env: ENV });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gantry-config-rt-"));
    try {
      fs.writeFileSync(path.join(dir, "compose.yaml"), renderComposeConfig(project));
      const again = await loadComposeProject({ files: [], cwd: dir, env: {} });
      // The only warning: optional dependencies on services the profiles disabled (so not printed) are not defined.
      expect(warnings).toEqual([]);
      expect(again.warnings.length).toBeGreaterThan(0);
      for (const w of again.warnings) {
        const dep = /optional dependency "([\w-]+)" is not defined/.exec(w)?.[1];
        expect(dep, w).toMatch(/^[\w-]+$/);
        expect(Object.keys(project.disabledServices), w).toContain(dep);
      }
      expect(again.project.name).toBe(project.name);
      // ...and loading drops those dependencies, which the original keeps but skips: otherwise the same services
      const skipped = structuredClone(project.services);
      for (const svc of Object.values(skipped))
        for (const dep of Object.keys(svc.dependsOn))
          if (project.disabledServices[dep] && !svc.dependsOn[dep]?.required)
            delete svc.dependsOn[dep];
      expect(again.project.services).toEqual(skipped);
      expect(again.project.volumes).toEqual(project.volumes);
      expect(again.project.networks).toEqual(project.networks);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("quotes strings YAML would read as something else", () => {
    const project = oneService({
      environment: { A: "yes", B: "010", C: "null", D: "a: b", E: "", F: "a$b", G: "$$" },
      command: ["sh", "-c", "echo $HOME"],
    });
    const env = (
      parse(renderComposeConfig(project)) as { services: { s: { environment: object } } }
    ).services.s.environment;
    expect(env).toEqual({ A: "yes", B: "010", C: "null", D: "a: b", E: "", F: "a$$b", G: "$$$$" });
  });

  it("writes a $ the model holds as $$, so loading the output gives the same values", async () => {
    const project = oneService({
      environment: { PASS: "a$b", BOTH: "$$" },
      command: ["sh", "-c", "echo $HOME"],
      networks: { default: { aliases: [] } },
    });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gantry-config-dollar-"));
    try {
      fs.writeFileSync(path.join(dir, "compose.yaml"), renderComposeConfig(project));
      const again = await loadComposeProject({ files: [], cwd: dir, env: { HOME: "/root" } });
      expect(again.warnings).toEqual([]);
      expect(again.project.services.s?.environment).toEqual({ PASS: "a$b", BOTH: "$$" });
      expect(again.project.services.s?.command).toEqual(["sh", "-c", "echo $HOME"]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
