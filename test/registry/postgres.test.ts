/**
 * The registry suite again, on PostgreSQL: each suite file is imported here after switching the
 * test servers to a fresh PostgreSQL database each, so both backends pass the same assertions.
 * Skipped (with the way to enable it) when LATHE_TEST_PG_URL is not set.
 */
import { rerunOnPostgres } from "../helpers/postgres-suites.js";

const suites = {
  concurrency: () => import("./concurrency.test.js"),
  history: () => import("./history.test.js"),
  "model-versions": () => import("./model-versions.test.js"),
  "registered-models": () => import("./registered-models.test.js"),
  search: () => import("./search.test.js"),
  "source-security": () => import("./source-security.test.js"),
};

rerunOnPostgres(suites);
