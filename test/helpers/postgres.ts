/**
 * Test helpers for PostgreSQL: the server named by LATHE_TEST_PG_URL, and a fresh database on it
 * for each test server, so test files can run in parallel and leave nothing behind.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";

/** The PostgreSQL URL the tests use, or undefined when PostgreSQL tests are off. */
export const PG_TEST_URL: string | undefined = process.env.LATHE_TEST_PG_URL || undefined;

export const PG_SKIP_MESSAGE =
  "PostgreSQL tests skipped: set LATHE_TEST_PG_URL (for example postgresql://postgres@127.0.0.1:5432/test) to run them";

export interface TestDatabase {
  /** A backend store URI for the new database. */
  uri: string;
  name: string;
  drop(): Promise<void>;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function onMaintenanceDb<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: withDatabase(url, "postgres") });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Creates the database LATHE_TEST_PG_URL names when it is missing (CI starts with a bare server). */
export async function ensureTestDatabase(url: string = requirePgUrl()): Promise<void> {
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  if (!name || name === "postgres") return;
  await onMaintenanceDb(url, async (client) => {
    try {
      await client.query(`create database "${name.replaceAll('"', '""')}"`);
    } catch (error) {
      // 42P04: already exists; 23505: another file created it at the same moment.
      const code = (error as { code?: string }).code;
      if (code !== "42P04" && code !== "23505") throw error;
    }
  });
}

export interface TestDatabaseOptions {
  /**
   * An ICU locale (such as "en") for the database's default collation, whose string order differs
   * from byte order: the store must compare strings byte-wise whatever the database's locale.
   */
  icuLocale?: string;
}

/** A new, empty database `lathe_test_<random>` on the test server; `drop()` removes it. */
export async function createTestDatabase(options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const url = requirePgUrl();
  await ensureTestDatabase(url);
  const name = `lathe_test_${randomBytes(6).toString("hex")}`;
  const locale = options.icuLocale
    ? ` template template0 locale_provider icu icu_locale '${options.icuLocale.replaceAll("'", "''")}' locale 'C.UTF-8'`
    : "";
  await onMaintenanceDb(url, (client) => client.query(`create database ${name}${locale}`));
  return {
    uri: withDatabase(url, name),
    name,
    drop: () =>
      onMaintenanceDb(url, (client) => client.query(`drop database if exists ${name} with (force)`)).then(() => {}),
  };
}

function requirePgUrl(): string {
  if (!PG_TEST_URL) throw new Error(PG_SKIP_MESSAGE);
  return PG_TEST_URL;
}
