import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "src/**/*.test.ts"],
    globalSetup: ["test/helpers/global-setup.ts"],
    testTimeout: 120_000,
    hookTimeout: 600_000,
    // Integration tests share one Docker engine; files run one at a time, tests inside a file may run concurrently.
    fileParallelism: false,
  },
});
