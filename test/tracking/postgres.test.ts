/**
 * The tracking suite again, on PostgreSQL: each suite file is imported here after switching the
 * test servers to a fresh PostgreSQL database each, so both backends pass the same assertions.
 * Skipped (with the way to enable it) when LATHE_TEST_PG_URL is not set.
 */
import { rerunOnPostgres } from "../helpers/postgres-suites.js";

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

rerunOnPostgres(suites);
