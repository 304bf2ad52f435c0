/**
 * The registry suite again, on PostgreSQL: each suite file is imported here after switching the
 * test servers to a fresh PostgreSQL database each, so both backends pass the same assertions.
 * Skipped (with the way to enable it) when LATHE_TEST_PG_URL is not set.
 */
import { describe, it } from "vitest";
import { PG_SKIP_MESSAGE, PG_TEST_URL } from "../helpers/postgres.js";
import { useTestBackend } from "../helpers/server.js";

const suites = {
  concurrency: () => import("./concurrency.test.js"),
  history: () => import("./history.test.js"),
  "model-versions": () => import("./model-versions.test.js"),
  "registered-models": () => import("./registered-models.test.js"),
  search: () => import("./search.test.js"),
  "source-security": () => import("./source-security.test.js"),
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
