/**
 * The tracking suite again, on PostgreSQL: each suite file is imported here after switching the
 * test servers to a fresh PostgreSQL database each, so both backends pass the same assertions.
 * Skipped (with the way to enable it) when LATHE_TEST_PG_URL is not set.
 */
import { describe, it } from "vitest";
import { PG_SKIP_MESSAGE, PG_TEST_URL } from "../helpers/postgres.js";
import { useTestBackend } from "../helpers/server.js";

const suites = {
  "artifacts-http": () => import("./artifacts-http.test.js"),
  "bad-input": () => import("./bad-input.test.js"),
  concurrency: () => import("./concurrency.test.js"),
  experiments: () => import("./experiments.test.js"),
  "metrics-history": () => import("./metrics-history.test.js"),
  "mlflow-npm-client": () => import("./mlflow-npm-client.test.js"),
  runs: () => import("./runs.test.js"),
  "search-order": () => import("./search-order.test.js"),
  "search-runs": () => import("./search-runs.test.js"),
  "server-basics": () => import("./server-basics.test.js"),
};

if (PG_TEST_URL) {
  useTestBackend("postgres");
  for (const [name, load] of Object.entries(suites)) {
    describe(`${name} on PostgreSQL`, async () => {
      await load();
    });
  }
} else {
  it.skip(PG_SKIP_MESSAGE, () => {});
}
