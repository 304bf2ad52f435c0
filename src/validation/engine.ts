/**
 * @module validation/engine
 * A DuckDB session over one CSV or Parquet file (`@duckdb/node-api`, imported only here and only
 * when data is validated or profiled). The file is read in place by `read_csv_auto` or
 * `read_parquet`; nothing is loaded into memory beyond what each query needs.
 */
import { openDuckDb } from "../core/duckdb.js";
import { LatheError } from "../core/errors.js";
import { plainValue, sourceSql } from "./sql.js";
import type { ColumnInfo } from "./types.js";

export interface DataSession {
  /** The path as given. */
  path: string;
  /** The FROM expression that reads the file. */
  source: string;
  columns: ColumnInfo[];
  rows(sql: string): Promise<unknown[][]>;
  stream(sql: string, visit: (value: unknown) => void): Promise<void>;
  close(): void;
}

/** The first line of an error's message (DuckDB adds context lines). */
export function firstLine(error: unknown): string {
  return String((error as Error)?.message ?? error).split("\n")[0]!;
}

/** Opens `path` for querying; the caller must `close()` the session. */
export async function openData(path: string): Promise<DataSession> {
  const { connection, close } = await openDuckDb(path, "Validating data");
  const source = sourceSql(path);
  try {
    const described = await connection.runAndReadAll(`DESCRIBE SELECT * FROM ${source}`);
    const columns = described.getRowsJS().map((row) => ({ name: String(row[0]), type: String(row[1]) }));
    return {
      path,
      source,
      columns,
      async rows(sql) {
        const reader = await connection.runAndReadAll(sql);
        return reader.getRowsJS().map((row) => row.map(plainValue));
      },
      async stream(sql, visit) {
        const result = await connection.stream(sql);
        // Column values straight from each chunk: several times faster than row objects.
        for await (const chunk of result)
          for (const value of chunk.getColumnValues(0))
            visit(value === null || typeof value !== "object" ? value : String(value));
      },
      close,
    };
  } catch (error) {
    close();
    throw new LatheError(
      "INVALID_PARAMETER_VALUE",
      `Cannot read ${path} (${firstLine(error)}); give a CSV file with a header row or a Parquet file.`,
      { cause: error },
    );
  }
}
