/**
 * Runs a folder's suites a second time on PostgreSQL: each suite file is imported after switching the
 * test servers to a fresh PostgreSQL database each, so both backends pass the same assertions.
 * Without LATHE_TEST_PG_URL, one skipped test says how to enable them.
 */
import { describe, it } from "vitest";
import { PG_SKIP_MESSAGE, PG_TEST_URL } from "./postgres.js";
import { useTestBackend } from "./server.js";

export function rerunOnPostgres(suites: Record<string, () => Promise<unknown>>): void {
  if (!PG_TEST_URL) {
    it.skip(PG_SKIP_MESSAGE, () => {});
    return;
  }
  useTestBackend("postgres");
  for (const [name, load] of Object.entries(suites)) {
    describe(`${name} on PostgreSQL`, async () => {
      await load();
    });
  }
}
