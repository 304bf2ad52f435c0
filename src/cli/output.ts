/**
 * @module cli/output
 * How commands print: aligned tables for people on a terminal, JSON with `--json` or when stdout
 * is not a terminal, so scripts never parse a table.
 */

export interface OutputOptions {
  json?: boolean;
}

export type Cell = string | number | boolean | null | undefined;

export interface Column<T> {
  header: string;
  value: (row: T) => Cell;
}

/** True when output should be JSON: asked for, or stdout is piped. */
export function wantsJson(options: OutputOptions, stream: NodeJS.WriteStream = process.stdout): boolean {
  return options.json === true || !stream.isTTY;
}

function text(cell: Cell): string {
  if (cell === null || cell === undefined) return "";
  if (typeof cell === "number") return Number.isInteger(cell) ? String(cell) : String(Number(cell.toPrecision(6)));
  return String(cell);
}

/** Renders rows as an aligned table with a header line; long cells are cut with an ellipsis. */
export function renderTable<T>(rows: readonly T[], columns: readonly Column<T>[], maxCellWidth = 48): string {
  const cells = rows.map((row) =>
    columns.map((column) => {
      const value = text(column.value(row));
      return value.length > maxCellWidth ? `${value.slice(0, maxCellWidth - 1)}…` : value;
    }),
  );
  const widths = columns.map((column, index) =>
    Math.max(column.header.length, ...cells.map((line) => line[index]!.length)),
  );
  const format = (line: string[]) =>
    line
      .map((cell, index) => cell.padEnd(widths[index]!))
      .join("  ")
      .trimEnd();
  return [format(columns.map((column) => column.header)), ...cells.map(format)].join("\n");
}

/** Prints `value` as JSON, or `rows` as a table on a terminal. */
export function printResult<T>(
  options: OutputOptions,
  value: unknown,
  rows: readonly T[],
  columns: readonly Column<T>[],
): void {
  if (wantsJson(options)) {
    process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
    return;
  }
  process.stdout.write(rows.length === 0 ? "(none)\n" : `${renderTable(rows, columns)}\n`);
}

/** Milliseconds since the epoch as "YYYY-MM-DD HH:MM:SS" UTC; empty for absent times. */
export function formatTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return "";
  return new Date(ms).toISOString().replace("T", " ").slice(0, 19);
}
