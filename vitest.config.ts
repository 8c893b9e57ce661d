import { defineConfig } from "vitest/config";

// Two projects: "unit" needs no engine (no global setup, nothing built); "integration" checks the engine and builds
// the test images first. `npm run test:unit` runs only the first, so it passes with no Docker at all.
export default defineConfig({
  test: {
    // a guard against hangs, not a speed check: integration tests build images and run real pipelines
    testTimeout: 300_000,
    hookTimeout: 600_000,
    // Integration tests share one Docker engine; files run one at a time, tests inside a file may run concurrently.
    fileParallelism: false,
    // @actions/workflow-parser imports its JSON schemas without `with { type: "json" }`, which Node 20 refuses;
    // transformed by vite instead of loaded by Node, it loads (it is used by tests only).
    server: { deps: { inline: ["@actions/workflow-parser"] } },
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts", "src/**/*.test.ts"],
          globalSetup: ["test/helpers/repo-clean-setup.ts"],
        },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          globalSetup: ["test/helpers/global-setup.ts", "test/helpers/repo-clean-setup.ts"],
        },
      },
    ],
  },
});
