/**
 * @module monitoring/parquet
 * Reads a Parquet file into a drift table through DuckDB (`@duckdb/node-api`, loaded only here and
 * only when a Parquet file is given). A column whose values are all numbers (integers, decimals,
 * floats) is numeric; anything else becomes categorical text, as with CSV.
 */
import { openDuckDb } from "../core/duckdb.js";
import { LatheError } from "../core/errors.js";
import type { Table, TableColumn } from "./table.js";

type Cell = unknown;

function toColumn(name: string, values: Cell[]): TableColumn {
  const numeric = values.every((value) => value === null || typeof value === "number" || typeof value === "bigint");
  if (numeric)
    return {
      name,
      kind: "numeric",
      values: Float64Array.from(values, (value) => (value === null ? Number.NaN : Number(value as number | bigint))),
    };
  return {
    name,
    kind: "categorical",
    values: values.map((value) => (value === null || value === undefined ? null : String(value))),
  };
}

/** Loads every column of a Parquet file. */
export async function readParquetTable(path: string): Promise<Table> {
  const session = await openDuckDb(path, `Reading ${path}`);
  try {
    const literal = `'${path.replaceAll("'", "''")}'`;
    const reader = await session.connection.runAndReadAll(`SELECT * FROM read_parquet(${literal})`);
    const names = reader.columnNames();
    const columns = reader.getColumnsJS() as Cell[][];
    return {
      columns: names.map((name, index) => toColumn(name, columns[index] ?? [])),
      rowCount: reader.currentRowCount,
    };
  } catch (error) {
    if (error instanceof LatheError) throw error;
    throw new LatheError(
      "INVALID_PARAMETER_VALUE",
      `Cannot read ${path} as Parquet (${String((error as Error).message).split("\n")[0]}); check that it is a Parquet file.`,
      { cause: error },
    );
  } finally {
    session.close();
  }
}
