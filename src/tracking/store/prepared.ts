/**
 * @module tracking/store/prepared
 * Server-side prepared statements for the PostgreSQL store. PostgreSQL parses and plans an unnamed
 * statement on every run, and for the store's small statements that costs it more than executing
 * them (loading a run: ~0.5 ms of parsing and planning for 0.05 ms of work). A named statement is
 * parsed once per connection, and after a few runs PostgreSQL keeps one generic plan for it when
 * that plan is estimated no worse than planning each run afresh (`plan_cache_mode = auto`).
 */

import type { PostgresPool, PostgresPoolClient } from "kysely";
import type { Pool, QueryConfig } from "pg";

/** How many runs of one SQL text before it is prepared. */
export const PREPARE_AFTER = 3;
/** SQL texts prepared at most. The store issues a few dozen; search filters of new shapes add some. */
export const MAX_PREPARED = 256;

/**
 * Which SQL texts run as named statements, and under which name. A text is named once it has
 * run {@link PREPARE_AFTER} times, so one-off SQL (an unusual search filter) never piles plans up
 * in the server's connections; at most {@link MAX_PREPARED} texts are named, after which new texts
 * run unnamed as before. A name always stands for the same text, whatever connection prepares it.
 */
export class StatementNames {
  private readonly names = new Map<string, string>();
  private readonly runs = new Map<string, number>();
  private readonly refused = new Set<string>();
  private issued = 0;

  /** The name to run `text` under, or undefined to run it unnamed. */
  nameFor(text: string): string | undefined {
    const known = this.names.get(text);
    if (known !== undefined || this.issued >= MAX_PREPARED || this.refused.has(text)) return known;
    const runs = (this.runs.get(text) ?? 0) + 1;
    if (runs < PREPARE_AFTER) {
      // Counts of texts that never reach the threshold are dropped wholesale now and then.
      if (this.runs.size >= MAX_PREPARED * 16) this.runs.clear();
      this.runs.set(text, runs);
      return undefined;
    }
    this.runs.delete(text);
    const name = `lathe_${++this.issued}`;
    this.names.set(text, name);
    return name;
  }

  /** Runs `text` unnamed from now on (its prepared result shape went stale, see below). */
  refuse(text: string): void {
    this.names.delete(text);
    this.refused.add(text);
  }
}

/** PostgreSQL's `feature_not_supported`, which it raises for a prepared statement whose columns changed. */
const STALE_RESULT_TYPE = "0A000";
/** `in_failed_sql_transaction`: the statement ran inside a transaction the first error aborted. */
const FAILED_TRANSACTION = "25P02";

function codeOf(error: unknown): unknown {
  return (error as { code?: unknown } | null)?.code;
}

/**
 * A pool for Kysely's PostgreSQL dialect whose connections run repeated statements as named
 * prepared statements (see {@link StatementNames}). A prepared `select *` fails once another
 * replica's migration has added a column ("cached plan must not change result type"); its text is
 * then run unnamed from then on, and the statement is retried at once, unless it ran inside a
 * transaction: the failure has aborted that, so its error stands and the next attempt runs unnamed.
 */
export function withPreparedStatements(pool: Pool, names = new StatementNames()): PostgresPool {
  return {
    async connect() {
      const client = await pool.connect();
      const run = (config: QueryConfig) => client.query(config);
      const connection = {
        async query(text: string, values: readonly unknown[]) {
          const parameters = [...values];
          const name = parameters.length > 0 ? names.nameFor(text) : undefined;
          if (name === undefined) return run({ text, values: parameters });
          try {
            return await run({ name, text, values: parameters });
          } catch (error) {
            if (codeOf(error) !== STALE_RESULT_TYPE) throw error;
            names.refuse(text);
            try {
              return await run({ text, values: parameters });
            } catch (retryError) {
              throw codeOf(retryError) === FAILED_TRANSACTION ? error : retryError;
            }
          }
        },
        release: () => client.release(),
      };
      return connection as unknown as PostgresPoolClient;
    },
    end: () => pool.end(),
  };
}
