// The layer rule fails lint for each wrong-way arrow issue 8 found, and passes the arrows DESIGN.md allows.
import path from "node:path";
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";
import { layerViolation } from "../../eslint-rules/layers.js";

const ROOT = path.resolve(import.meta.dirname, "../..");

describe("layers/one-way", () => {
  it.each([
    ["store/tree.ts", "engine/digest.ts"],
    ["runtime/docker/exec/exec-container.ts", "engine/digest.ts"],
    ["sdk/compose.ts", "compose/index.ts"],
    ["engine/open-session.ts", "runtime/docker/connection/connect-docker.ts"],
    ["sdk/directory.ts", "store/tree.ts"],
    ["sdk/container.ts", "runtime/runtime.ts"],
    ["sdk/file.ts", "engine/evaluate/directory.ts"],
    ["compose/run/compose-runner.ts", "engine/services/service-manager.ts"],
    ["cli/compose/compose-detach.ts", "runtime/docker/cleanup/labels.ts"],
    ["engine/session.ts", "sdk/index.ts"],
  ])("refuses %s → %s", (from, to) => {
    expect(layerViolation(from, to)).toMatch(/must not|reaches into|only/);
  });

  it.each([
    ["sdk/directory.ts", "engine/api/index.ts"],
    ["engine/evaluate/exec.ts", "runtime/runtime.ts"],
    ["engine/open-session.ts", "runtime/open-runtime.ts"],
    ["runtime/docker/exec/exec-container.ts", "store/digest.ts"],
    ["compose/compose-stack.ts", "sdk/index.ts"],
    ["cli/compose/compose-detach.ts", "runtime/engine-resources.ts"],
    ["runtime/host/host-runtime.ts", "runtime/docker/cleanup/labels.ts"],
    ["store/tree.ts", "errors.ts"],
  ])("allows %s → %s", (from, to) => {
    expect(layerViolation(from, to)).toBeUndefined();
  });

  it("is on for every source file in the project's lint config", async () => {
    const eslint = new ESLint({ cwd: ROOT });
    const config = (await eslint.calculateConfigForFile(path.join(ROOT, "src/store/tree.ts"))) as {
      rules: Record<string, unknown>;
    };
    expect(config.rules["layers/one-way"]).toEqual([2]);
  });

  it("reports through ESLint: a store file importing the engine, or dockerode, fails", async () => {
    // Only the layer rule, without type information: the file need not exist in the TypeScript project.
    const tseslint = (await import("typescript-eslint")).default;
    const layers = (await import("../../eslint-rules/layers.js")).default;
    const eslint = new ESLint({
      cwd: ROOT,
      overrideConfigFile: true,
      overrideConfig: [
        {
          files: ["**/*.ts"],
          languageOptions: { parser: tseslint.parser },
          plugins: { layers },
          rules: { "layers/one-way": "error" },
        },
      ],
    });
    const [r] = await eslint.lintText(
      'import type Dockerode from "dockerode";\nimport { openSession } from "../engine/open-session.js";\nexport type X = [Dockerode, typeof openSession];\n',
      { filePath: path.join(ROOT, "src/store/wrong-way.ts") },
    );
    const layerMessages = (r?.messages ?? []).map((m) => `${m.ruleId}: ${m.message}`);
    expect(layerMessages).toHaveLength(2);
    expect(layerMessages.join("\n")).toContain("store must not import from engine");
    expect(layerMessages.join("\n")).toContain("dockerode is used only inside runtime/docker/");
  });
});
