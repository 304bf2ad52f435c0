/**
 * @module demo/csv
 * A small reader for the demo's numeric CSV files (header row, comma-separated, no quoting).
 */
import { LatheError } from "../core/errors.js";

export interface Table {
  columns: string[];
  rows: string[][];
}

export function parseCsv(text: string, source: string): Table {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== "");
  const header = lines.shift();
  if (header === undefined)
    throw new LatheError("INVALID_PARAMETER_VALUE", `${source} is empty: it needs a header row and data rows.`);
  const columns = header.split(",").map((column) => column.trim());
  const rows = lines.map((line, index) => {
    const cells = line.split(",").map((cell) => cell.trim());
    if (cells.length !== columns.length) {
      throw new LatheError(
        "INVALID_PARAMETER_VALUE",
        `${source} line ${index + 2} has ${cells.length} fields, but the header has ${columns.length}. Fix the row or the header.`,
      );
    }
    return cells;
  });
  return { columns, rows };
}
