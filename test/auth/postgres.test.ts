/**
 * The auth suites again, on PostgreSQL: each is imported after switching the test servers to a fresh
 * PostgreSQL database, so both backends pass the same authorisation matrix, API and audit checks.
 * Skipped (with the way to enable it) when LATHE_TEST_PG_URL is not set.
 */
import { rerunOnPostgres } from "../helpers/postgres-suites.js";

const suites = {
  matrix: () => import("./matrix.test.js"),
  "users-api": () => import("./users-api.test.js"),
  "tokens-audit": () => import("./tokens-audit.test.js"),
  hardening: () => import("./hardening.test.js"),
  "mlflow-auth-client": () => import("./mlflow-auth-client.test.js"),
  replicas: () => import("./replicas.test.js"),
};

rerunOnPostgres(suites);
