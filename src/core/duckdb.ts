/**
 * @module core/duckdb
 * An in-memory DuckDB connection over a data file the caller names (`@duckdb/node-api`, imported
 * only when a command needs it, so other commands never load it).
 */
import { access } from "node:fs/promises";
import { LatheError } from "./errors.js";

/** An open connection; `close()` releases the connection and the database. */
export interface DuckDbSession {
  readonly connection: import("@duckdb/node-api").DuckDBConnection;
  close(): void;
}

/**
 * Checks that `path` exists and opens an in-memory DuckDB for reading it.
 * @param purpose what the caller does with the file, for the message when DuckDB cannot load
 */
export async function openDuckDb(path: string, purpose: string): Promise<DuckDbSession> {
  try {
    await access(path);
  } catch {
    throw new LatheError("RESOURCE_DOES_NOT_EXIST", `${path} does not exist; check the path.`);
  }
  let duckdb: typeof import("@duckdb/node-api");
  try {
    duckdb = await import("@duckdb/node-api");
  } catch (error) {
    throw new LatheError(
      "NOT_IMPLEMENTED",
      `${purpose} needs DuckDB (@duckdb/node-api), which is not installed here; run npm install (or convert the file to CSV).`,
      { cause: error },
    );
  }
  const instance = await duckdb.DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  return {
    connection,
    close: () => {
      connection.closeSync();
      instance.closeSync();
    },
  };
}
