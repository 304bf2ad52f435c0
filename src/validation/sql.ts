/**
 * @module validation/sql
 * The only places user text enters SQL: identifiers are double-quoted with inner quotes doubled,
 * values become typed literals with single quotes doubled (DuckDB reads no backslash escapes in
 * plain string literals), and numbers must be finite. Nothing else is spliced into a query.
 */
import { invalidParameter } from "../core/errors.js";

export type Scalar = string | number | boolean;

/** `"name"`, safe for any column name. */
export function quoteIdentifier(name: string): string {
  if (name.includes("\0"))
    throw invalidParameter(`A column name cannot contain a NUL character: ${JSON.stringify(name)}.`);
  return `"${name.replaceAll('"', '""')}"`;
}

/** A SQL literal for a string, a finite number or a boolean. */
export function literal(value: Scalar): string {
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw invalidParameter(`Expected a finite number, got ${value}.`);
    return Number.isInteger(value) && Math.abs(value) < 2 ** 53 ? String(value) : `${value}::DOUBLE`;
  }
  if (typeof value === "boolean") return value ? "TRUE" : "FALSE";
  if (value.includes("\0")) throw invalidParameter(`A value cannot contain a NUL character: ${JSON.stringify(value)}.`);
  return `'${value.replaceAll("'", "''")}'`;
}

const NULL_STRINGS = ["", "NA", "N/A", "NaN", "nan", "null", "NULL", "None"];

/** The table function that reads `path`: Parquet by extension, CSV (types sniffed) otherwise. */
export function sourceSql(path: string): string {
  const lower = path.toLowerCase();
  if (lower.endsWith(".parquet") || lower.endsWith(".pq")) return `read_parquet(${literal(path)})`;
  // The same missing-value spellings as the drift reader, so both commands agree on what is null.
  return `read_csv_auto(${literal(path)}, header = true, nullstr = [${NULL_STRINGS.map(literal).join(", ")}])`;
}

const NUMERIC_TYPES = new Set([
  "TINYINT",
  "SMALLINT",
  "INTEGER",
  "BIGINT",
  "HUGEINT",
  "UTINYINT",
  "USMALLINT",
  "UINTEGER",
  "UBIGINT",
  "UHUGEINT",
  "FLOAT",
  "DOUBLE",
]);

/** True for DuckDB's integer, floating and decimal types. */
export function isNumericType(type: string): boolean {
  return NUMERIC_TYPES.has(type) || type.startsWith("DECIMAL");
}

/** A query result cell made plain: bigints become numbers, dates ISO strings, lists recurse. */
export function plainValue(value: unknown): unknown {
  if (typeof value === "bigint") return Number(value);
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(plainValue);
  if (value !== null && typeof value === "object") {
    const text = String(value);
    return text === "[object Object]"
      ? Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, plainValue(inner)]))
      : text;
  }
  return value;
}
