/**
 * @module monitoring/table
 * The tabular input of the drift detectors and a small, fast CSV reader for `lathe drift`: a header
 * row, RFC 4180 quoting ("" inside quotes), LF or CRLF line ends, an optional UTF-8 BOM. A column
 * whose non-missing cells all parse as numbers is numeric; any other is categorical. Missing cells
 * (empty, NA, NaN, null, None) become NaN in numeric columns and null in categorical ones. Parquet
 * files go through DuckDB (see parquet.ts).
 */
import { readFile } from "node:fs/promises";
import { extname } from "node:path";
import { invalidParameter, LatheError } from "../core/errors.js";

export interface NumericColumn {
  name: string;
  kind: "numeric";
  /** NaN marks a missing value. */
  values: Float64Array;
}

export interface CategoricalColumn {
  name: string;
  kind: "categorical";
  /** null marks a missing value. */
  values: (string | null)[];
}

export type TableColumn = NumericColumn | CategoricalColumn;

export interface Table {
  columns: TableColumn[];
  rowCount: number;
}

const MISSING = new Set(["", "NA", "N/A", "NaN", "nan", "null", "NULL", "None"]);

/** Splits CSV text into rows of fields. */
export function parseCsvRows(text: string, source = "the CSV input"): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const length = text.length;
  let line = 1;
  while (i < length) {
    const char = text.charCodeAt(i);
    if (char === 34 /* " */ && field.length === 0) {
      // A quoted field: read to the closing quote, turning "" into ".
      const start = line;
      i++;
      let chunkStart = i;
      let value = "";
      for (;;) {
        const next = text.indexOf('"', i);
        if (next < 0)
          throw invalidParameter(`${source}: a quoted field opened on line ${start} is never closed; close the quote.`);
        for (let k = i; k < next; k++) if (text.charCodeAt(k) === 10) line++;
        if (text.charCodeAt(next + 1) === 34) {
          value += text.slice(chunkStart, next + 1);
          i = next + 2;
          chunkStart = i;
          continue;
        }
        value += text.slice(chunkStart, next);
        i = next + 1;
        break;
      }
      field = value;
      const after = text.charCodeAt(i);
      if (i < length && after !== 44 && after !== 10 && after !== 13)
        throw invalidParameter(
          `${source}: unexpected text after a closing quote on line ${line}; quote the whole field and double inner quotes.`,
        );
      continue;
    }
    if (char === 44 /* , */) {
      row.push(field);
      field = "";
      i++;
      continue;
    }
    if (char === 10 || char === 13) {
      row.push(field);
      field = "";
      rows.push(row);
      row = [];
      i += char === 13 && text.charCodeAt(i + 1) === 10 ? 2 : 1;
      line++;
      continue;
    }
    // A plain run up to the next delimiter.
    let end = i;
    while (end < length) {
      const c = text.charCodeAt(end);
      if (c === 44 || c === 10 || c === 13) break;
      end++;
    }
    field += text.slice(i, end);
    i = end;
  }
  if (field.length > 0 || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  // Blank lines carry no data.
  return rows.filter((fields) => !(fields.length === 1 && fields[0] === ""));
}

function parseNumber(cell: string): number | undefined {
  const trimmed = cell.trim();
  if (MISSING.has(trimmed)) return Number.NaN;
  const value = Number(trimmed);
  return Number.isNaN(value) ? undefined : value;
}

/** Builds a table from CSV text, inferring each column's kind. */
export function parseCsv(text: string, source = "the CSV input"): Table {
  const rows = parseCsvRows(text, source);
  const header = rows[0];
  if (header === undefined || header.every((name) => name.trim() === ""))
    throw invalidParameter(`${source} is empty; give a CSV file with a header row and data rows.`);
  const names = header.map((name) => name.trim());
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name))
      throw invalidParameter(`${source} has the column '${name}' twice; give every column a unique name.`);
    seen.add(name);
  }
  const body = rows.slice(1);
  body.forEach((fields, index) => {
    if (fields.length !== names.length)
      throw invalidParameter(
        `${source}: data row ${index + 1} has ${fields.length} fields but the header has ${names.length}; ` +
          "fix the row or quote fields that contain commas.",
      );
  });
  const columns = names.map((name, c): TableColumn => {
    const numbers = new Float64Array(body.length);
    let numeric = true;
    for (let r = 0; r < body.length; r++) {
      const value = parseNumber(body[r]![c]!);
      if (value === undefined) {
        numeric = false;
        break;
      }
      numbers[r] = value;
    }
    if (numeric) return { name, kind: "numeric", values: numbers };
    return {
      name,
      kind: "categorical",
      values: body.map((fields) => (MISSING.has(fields[c]!.trim()) ? null : fields[c]!)),
    };
  });
  return { columns, rowCount: body.length };
}

/** Builds a table from named arrays: number arrays become numeric columns, anything else categorical. */
export function tableFromColumns(
  data: Record<string, Float64Array | readonly (number | null)[] | readonly (string | null)[]>,
): Table {
  const columns = Object.entries(data).map(([name, values]): TableColumn => {
    if (values instanceof Float64Array) return { name, kind: "numeric", values };
    const list = values as readonly (number | string | null)[];
    if (list.every((value) => value === null || typeof value === "number"))
      return {
        name,
        kind: "numeric",
        values: Float64Array.from(list, (value) => (value === null ? Number.NaN : value)),
      };
    return { name, kind: "categorical", values: list.map((value) => (value === null ? null : String(value))) };
  });
  const rowCount = columns[0]?.values.length ?? 0;
  for (const column of columns)
    if (column.values.length !== rowCount)
      throw invalidParameter(`Column '${column.name}' has ${column.values.length} values, expected ${rowCount}.`);
  return { columns, rowCount };
}

/** Reads a CSV file, or a Parquet file (`.parquet`, `.pq`) through DuckDB. */
export async function readTable(path: string): Promise<Table> {
  const extension = extname(path).toLowerCase();
  if (extension === ".parquet" || extension === ".pq") {
    const { readParquetTable } = await import("./parquet.js");
    return readParquetTable(path);
  }
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new LatheError("RESOURCE_DOES_NOT_EXIST", `${path} does not exist; check the path.`);
    throw new LatheError("IO_ERROR", `Cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
  return parseCsv(text, path);
}
