/**
 * @module pipeline/metrics/delimited
 * CSV and TSV with a header row: quoted fields (`"a,b"`, `""` for a quote), CRLF or LF line ends.
 * Cells that read as numbers become numbers, `true`/`false` become booleans, the rest stay text.
 */
import type { Scalar } from "./values.js";

/** Splits delimited text into rows of raw cells. */
export function splitDelimited(text: string, delimiter: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  let index = 0;
  const endCell = () => {
    row.push(cell);
    cell = "";
  };
  const endRow = () => {
    endCell();
    if (row.length > 1 || row[0] !== "") rows.push(row);
    row = [];
  };
  while (index < text.length) {
    const char = text[index]!;
    if (quoted) {
      if (char === '"' && text[index + 1] === '"') {
        cell += '"';
        index += 2;
        continue;
      }
      if (char === '"') quoted = false;
      else cell += char;
    } else if (char === '"' && cell === "") quoted = true;
    else if (char === delimiter) endCell();
    else if (char === "\n") endRow();
    else if (char !== "\r") cell += char;
    index += 1;
  }
  if (quoted) throw new Error("a quoted field is not closed");
  if (cell !== "" || row.length > 0) endRow();
  return rows;
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** A cell as a typed value. */
export function typedCell(cell: string): Scalar {
  const trimmed = cell.trim();
  if (NUMBER.test(trimmed)) return Number(trimmed);
  if (trimmed === "true" || trimmed === "True") return true;
  if (trimmed === "false" || trimmed === "False") return false;
  return cell;
}

/**
 * Parses delimited text into records of typed values. The first row names the columns; without a
 * header (`hasHeader` false, DVC's `header: false`) columns are named by position: `0`, `1`, ….
 */
export function parseDelimited(text: string, delimiter: string, hasHeader = true): Record<string, Scalar>[] {
  const all = splitDelimited(text, delimiter);
  const header = hasHeader ? all[0] : all[0]?.map((_, column) => String(column));
  if (header === undefined) return [];
  const rows = hasHeader ? all.slice(1) : all;
  const firstLine = hasHeader ? 2 : 1;
  return rows.map((cells, line) => {
    if (cells.length !== header.length)
      throw new Error(
        `row ${line + firstLine} has ${cells.length} field(s) but ${hasHeader ? "the header" : "the first row"} has ${header.length}`,
      );
    return Object.fromEntries(header.map((name, column) => [name.trim(), typedCell(cells[column]!)]));
  });
}
