/**
 * The PostgreSQL store's prepared statements: which SQL texts get a name, that a named statement
 * is really prepared on the server and returns what the unnamed one did, and that a prepared
 * `select *` survives another process adding a column to its table.
 */
import { Kysely, PostgresDialect, sql } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  MAX_PREPARED,
  PREPARE_AFTER,
  StatementNames,
  withPreparedStatements,
} from "../../src/tracking/store/prepared.js";
import { createTestDatabase, PG_SKIP_MESSAGE, PG_TEST_URL, type TestDatabase } from "../helpers/postgres.js";

describe("StatementNames", () => {
  it("names a text from its PREPARE_AFTER-th run on, always with the same name", () => {
    const names = new StatementNames();
    const text = "select 1 where $1 = 1";
    for (let run = 1; run < PREPARE_AFTER; run++) expect(names.nameFor(text)).toBeUndefined();
    const name = names.nameFor(text);
    expect(name).toMatch(/^lathe_\d+$/);
    expect(names.nameFor(text)).toBe(name);
    const other = "select 2 where $1 = 1";
    for (let run = 1; run < PREPARE_AFTER; run++) names.nameFor(other);
    const otherName = names.nameFor(other);
    expect(otherName).toBeDefined();
    expect(otherName).not.toBe(name);
  });

  it("names no more than MAX_PREPARED texts, keeping the ones it named", () => {
    const names = new StatementNames();
    const nameOf = (text: string) => {
      let name: string | undefined;
      for (let run = 0; run < PREPARE_AFTER; run++) name = names.nameFor(text);
      return name;
    };
    const first = nameOf("select 0");
    for (let i = 1; i < MAX_PREPARED; i++) expect(nameOf(`select ${i}`)).toBeDefined();
    expect(nameOf("select one too many")).toBeUndefined();
    expect(names.nameFor("select 0")).toBe(first);
  });

  it("runs a refused text unnamed from then on", () => {
    const names = new StatementNames();
    for (let run = 0; run < PREPARE_AFTER; run++) names.nameFor("select $1");
    names.refuse("select $1");
    for (let run = 0; run < PREPARE_AFTER * 2; run++) expect(names.nameFor("select $1")).toBeUndefined();
  });
});

describe.skipIf(!PG_TEST_URL)("prepared statements on PostgreSQL", () => {
  let database: TestDatabase;
  let pool: pg.Pool;
  let db: Kysely<Record<string, Record<string, unknown>>>;

  beforeAll(async () => {
    database = await createTestDatabase();
    // One connection, so the statements prepared are those the checks below look at.
    pool = new pg.Pool({ connectionString: database.uri, max: 1 });
    db = new Kysely({ dialect: new PostgresDialect({ pool: withPreparedStatements(pool) }) });
    await sql`create table items (id integer primary key, label text not null)`.execute(db);
    await sql`insert into items values (1, 'one'), (2, 'two')`.execute(db);
  });

  afterAll(async () => {
    await db?.destroy();
    await database?.drop();
  });

  const prepared = async () =>
    (await sql<{ statement: string }>`select statement from pg_prepared_statements`.execute(db)).rows.map(
      (row) => row.statement,
    );

  it("prepares a statement on the server once it has run a few times, with the same results", async () => {
    const text = "select label from items where id = $1";
    const results: unknown[] = [];
    for (let run = 0; run < PREPARE_AFTER + 2; run++)
      results.push((await db.selectFrom("items").select("label").where("id", "=", 2).execute())[0]);
    expect(results).toEqual(Array.from({ length: PREPARE_AFTER + 2 }, () => ({ label: "two" })));
    expect((await prepared()).map((statement) => statement.replaceAll('"', ""))).toContain(text);
  });

  it("keeps answering after another connection adds a column under a prepared select *", async () => {
    const all = () => db.selectFrom("items").selectAll().where("id", "=", 1).execute();
    for (let run = 0; run < PREPARE_AFTER + 1; run++) expect(await all()).toEqual([{ id: 1, label: "one" }]);
    const other = new pg.Client({ connectionString: database.uri });
    await other.connect();
    await other.query("alter table items add column weight integer not null default 7");
    await other.end();
    expect(await all()).toEqual([{ id: 1, label: "one", weight: 7 }]);
    expect(await all()).toEqual([{ id: 1, label: "one", weight: 7 }]);
  });

  it("inside a transaction, reports the stale statement once and runs it unnamed afterwards", async () => {
    const byLabel = () => db.selectFrom("items").selectAll().where("label", "=", "two").execute();
    for (let run = 0; run < PREPARE_AFTER + 1; run++) await byLabel();
    const other = new pg.Client({ connectionString: database.uri });
    await other.connect();
    await other.query("alter table items add column note text not null default 'n'");
    await other.end();
    const failed = await db
      .transaction()
      .execute((trx) => trx.selectFrom("items").selectAll().where("label", "=", "two").execute())
      .catch((error: unknown) => error);
    expect((failed as { code?: string }).code).toBe("0A000");
    expect(await byLabel()).toEqual([{ id: 2, label: "two", weight: 7, note: "n" }]);
  });
});

if (!PG_TEST_URL) it.skip(PG_SKIP_MESSAGE, () => {});
