import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // How long expect.poll waits for a condition (default 1 s): long enough for a browser to draw
    // on a machine busy with other test files; a condition that never holds still fails.
    expect: { poll: { timeout: 10_000 } },
    pool: "forks",
    reporters: ["default", "./test/helpers/summary-reporter.ts"],
  },
});
