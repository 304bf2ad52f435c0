/**
 * @module tracking/store/transaction
 * The one write path. On SQLite a write transaction starts with BEGIN IMMEDIATE, taking the write
 * lock up front so two processes on one file wait on the busy timeout instead of failing with
 * SQLITE_BUSY when a read lock would have to be upgraded. PostgreSQL uses an ordinary transaction
 * (read committed); writers that must not interleave lock a row first with `lockedForWrite`.
 */
import { type Kysely, sql } from "kysely";
import { invalidParameter } from "../../core/errors.js";
import type { DialectName } from "./database.js";

export async function writeTransaction<DB, T>(
  db: Kysely<DB>,
  dialect: DialectName,
  work: (trx: Kysely<DB>) => Promise<T>,
): Promise<T> {
  if (dialect !== "sqlite") {
    try {
      return await db.transaction().execute(work);
    } catch (error) {
      throw refusedByPostgres(error);
    }
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

/**
 * A select that, on PostgreSQL, locks the rows it reads until the transaction ends (`for update`),
 * so writers that start by reading the same row run one after another and each sees the other's
 * committed changes. On SQLite the write transaction already holds the database's only write lock.
 */
export function lockedForWrite<Q extends { forUpdate(): Q }>(dialect: DialectName, query: Q): Q {
  return dialect === "postgres" ? query.forUpdate() : query;
}

/** A primary-key or unique violation, in either dialect's words. */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "SQLITE_CONSTRAINT_PRIMARYKEY" || code === "SQLITE_CONSTRAINT_UNIQUE" || code === "23505";
}

/**
 * PostgreSQL text cannot hold the NUL character, which SQLite stores; a value carrying one is the
 * caller's to fix, so it is a 400 that says so rather than an internal error.
 */
function refusedByPostgres(error: unknown): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === "22021" || code === "22P05") {
    return invalidParameter(
      `A value could not be stored: ${(error as Error).message}. PostgreSQL text cannot contain the NUL character (\\u0000); remove it from names, keys and values.`,
    );
  }
  return error;
}
