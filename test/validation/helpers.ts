/**
 * Temp data files and one-expectation runs for the validation tests.
 */
import { mkdtemp, realpath, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ExpectationResult, ValidationResult } from "../../src/validation/types.js";
import { validateData } from "../../src/validation/validate.js";

export async function makeDir(): Promise<string> {
  return realpath(await mkdtemp(join(tmpdir(), "lathe-validation-")));
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** Writes `text` as `name` under `dir`; returns the path. */
export async function writeData(dir: string, name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

/** Converts a CSV file to Parquet with DuckDB; returns the Parquet path. */
export async function toParquet(csv: string): Promise<string> {
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  const target = csv.replace(/\.csv$/, ".parquet");
  const quote = (text: string) => `'${text.replaceAll("'", "''")}'`;
  await connection.run(`COPY (SELECT * FROM read_csv_auto(${quote(csv)})) TO ${quote(target)} (FORMAT parquet)`);
  connection.closeSync();
  instance.closeSync();
  return target;
}

/** Runs a suite of expectations given as [type, kwargs] pairs. */
export function runSuite(path: string, expectations: [string, Record<string, unknown>][]): Promise<ValidationResult> {
  return validateData(path, {
    name: "test",
    meta: {},
    expectations: expectations.map(([type, kwargs]) => ({ type, kwargs, meta: {} })),
  });
}

/** Runs one expectation and returns its result. */
export async function check(path: string, type: string, kwargs: Record<string, unknown>): Promise<ExpectationResult> {
  const result = await runSuite(path, [[type, kwargs]]);
  return result.results[0]!;
}
