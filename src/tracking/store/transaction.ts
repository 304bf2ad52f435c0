/**
 * @module tracking/store/transaction
 * The one write path. On SQLite a write transaction starts with BEGIN IMMEDIATE, taking the write
 * lock up front so two processes on one file wait on the busy timeout instead of failing with
 * SQLITE_BUSY when a read lock would have to be upgraded. PostgreSQL uses an ordinary transaction.
 */
import { type Kysely, sql } from "kysely";
import type { DialectName } from "./database.js";

export async function writeTransaction<DB, T>(
  db: Kysely<DB>,
  dialect: DialectName,
  work: (trx: Kysely<DB>) => Promise<T>,
): Promise<T> {
  if (dialect !== "sqlite") {
    return db.transaction().execute(work);
  }
  return db.connection().execute(async (connection) => {
    await sql`begin immediate`.execute(connection);
    try {
      const result = await work(connection);
      await sql`commit`.execute(connection);
      return result;
    } catch (error) {
      await sql`rollback`.execute(connection);
      throw error;
    }
  });
}
