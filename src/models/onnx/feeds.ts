/**
 * @module models/onnx/feeds
 * Turning a batch (rows, named columns or per-input arrays) into the typed arrays an ONNX session
 * takes. A model with one input `[N, F]` gets the batch stacked row by row; a model with several
 * named inputs (as skl2onnx writes for a column transformer) gets one `[N, 1]` or `[N, k]` array each.
 */
import { invalidParameter } from "../../core/errors.js";

/** What a model input looks like, from the session's metadata. */
export interface OnnxValueInfo {
  readonly name: string;
  /** The element type (`float32`, `int64`, `string` ...); `undefined` for a sequence or map. */
  readonly type: string | undefined;
  /** Dimensions; a string or -1 is a free dimension (the batch, usually). */
  readonly shape: readonly (number | string)[];
  readonly isTensor: boolean;
}

/** One cell of a batch. Booleans count as 0/1; `null` only where the model allows NaN. */
export type Cell = number | string | boolean | bigint | null;

/**
 * A batch to predict on:
 * - rows: `[[5.1, 3.5, 1.4, 0.2], ...]`;
 * - named columns with rows: `{ columns: ["a", "b"], rows: [[1, 2], ...] }` (pandas' split orient);
 * - columns: `{ a: [1, 4], b: [2, 5] }`, matched to input names when the model has several inputs;
 * - records: `[{ a: 1, b: 2 }, ...]`.
 */
export type PredictBatch =
  | readonly (readonly Cell[])[]
  | { readonly columns: readonly string[]; readonly rows: readonly (readonly Cell[])[] }
  | Readonly<Record<string, readonly (Cell | readonly Cell[])[]>>
  | readonly Readonly<Record<string, Cell>>[];

/** A batch in one shape: column names (when known) and rows of cells. */
export interface TabularBatch {
  readonly columns: readonly string[] | undefined;
  readonly rows: readonly (readonly (Cell | readonly Cell[])[])[];
}

/** The plain data of one feed: typed values and dimensions, before it becomes a runtime tensor. */
export interface FeedData {
  readonly type: string;
  readonly data: Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array | string[];
  readonly dims: readonly number[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Brings any accepted batch shape to columns + rows, refusing ragged or empty input. */
export function toTabular(batch: PredictBatch): TabularBatch {
  if (Array.isArray(batch)) {
    if (batch.length === 0) throw invalidParameter("The batch is empty: send at least one row.");
    if (batch.every((row) => Array.isArray(row))) return { columns: undefined, rows: batch as Cell[][] };
    if (batch.every(isRecord)) {
      const records = batch as Record<string, Cell>[];
      const columns = Object.keys(records[0] ?? {});
      const rows = records.map((record, index) => {
        const keys = Object.keys(record);
        const missing = columns.find((column) => !(column in record));
        const extra = keys.find((key) => !columns.includes(key));
        if (missing !== undefined || extra !== undefined) {
          throw invalidParameter(
            `Record ${index} has different fields from record 0 (${missing !== undefined ? `missing '${missing}'` : `extra '${extra}'`}): give every record the same fields.`,
          );
        }
        return columns.map((column) => record[column] as Cell);
      });
      return { columns, rows };
    }
    throw invalidParameter("A batch list must hold only rows (lists of values) or only records (objects).");
  }
  if (!isRecord(batch)) throw invalidParameter("The batch must be a list of rows, a list of records or an object.");
  if (Array.isArray(batch.columns) && Array.isArray(batch.rows)) {
    const columns = batch.columns as string[];
    const rows = batch.rows as Cell[][];
    if (rows.length === 0) throw invalidParameter("The batch is empty: send at least one row.");
    rows.forEach((row, index) => {
      if (!Array.isArray(row) || row.length !== columns.length) {
        throw invalidParameter(
          `Row ${index} has ${Array.isArray(row) ? row.length : "no"} values but there are ${columns.length} columns: give every row one value per column.`,
        );
      }
    });
    return { columns, rows };
  }
  const columns = Object.keys(batch);
  if (columns.length === 0) throw invalidParameter("The batch has no columns.");
  const lists = columns.map((column) => {
    const values = (batch as Record<string, unknown>)[column];
    if (!Array.isArray(values)) {
      throw invalidParameter(`Column '${column}' must be a list of values, one per row; got ${typeof values}.`);
    }
    return values as (Cell | Cell[])[];
  });
  const count = lists[0]?.length ?? 0;
  if (count === 0) throw invalidParameter("The batch is empty: send at least one row.");
  lists.forEach((values, index) => {
    if (values.length !== count) {
      throw invalidParameter(
        `Column '${columns[index]}' has ${values.length} values but '${columns[0]}' has ${count}: give every column one value per row.`,
      );
    }
  });
  const rows = Array.from({ length: count }, (_, row) => lists.map((values) => values[row] as Cell | Cell[]));
  return { columns, rows };
}

function toNumber(value: Cell, where: string): number {
  if (typeof value === "number") return value;
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "bigint") return Number(value);
  if (value === null) return Number.NaN;
  const trimmed = value.trim();
  const parsed = trimmed === "" ? Number.NaN : Number(trimmed);
  if (Number.isNaN(parsed) && !/^nan$/i.test(trimmed)) {
    throw invalidParameter(`${where} is '${value}', which is not a number: send a number.`);
  }
  return parsed;
}

function fill(type: string, values: readonly Cell[], where: (index: number) => string): FeedData["data"] {
  switch (type) {
    case "float32":
    case "float64": {
      const out = type === "float32" ? new Float32Array(values.length) : new Float64Array(values.length);
      values.forEach((value, index) => {
        out[index] = toNumber(value, where(index));
      });
      return out;
    }
    case "int32":
    case "int64":
    case "bool": {
      const out =
        type === "int32"
          ? new Int32Array(values.length)
          : type === "bool"
            ? new Uint8Array(values.length)
            : new BigInt64Array(values.length);
      values.forEach((value, index) => {
        const number = toNumber(value, where(index));
        if (!Number.isInteger(number)) {
          throw invalidParameter(`${where(index)} is ${number}, but the model takes whole numbers (${type}).`);
        }
        if (out instanceof BigInt64Array) out[index] = BigInt(number);
        else out[index] = number;
      });
      return out;
    }
    case "string":
      return values.map((value) => (value === null ? "" : String(value)));
    default:
      throw invalidParameter(
        `The model takes a '${type}' tensor, which Lathe cannot feed yet; export the model with float, double, int or string inputs.`,
      );
  }
}

/** The fixed size of the second dimension of an input, if any. */
function featureCount(input: OnnxValueInfo): number | undefined {
  const width = input.shape[1];
  return typeof width === "number" && width > 0 ? width : undefined;
}

/** Flattens cells, expanding array cells (a row's tensor value for one input). */
function flattenRow(row: readonly (Cell | readonly Cell[])[]): Cell[] {
  const flat: Cell[] = [];
  for (const cell of row) {
    if (Array.isArray(cell)) flat.push(...(cell as Cell[]));
    else flat.push(cell as Cell);
  }
  return flat;
}

/**
 * Builds the feeds for `inputs` from a batch. With one input, every column goes into it in order
 * (after reordering by `featureNames` when both are known). With several, each input takes the column
 * of its name.
 */
export function buildFeeds(
  inputs: readonly OnnxValueInfo[],
  batch: TabularBatch,
  featureNames?: readonly string[],
): Record<string, FeedData> {
  const tensorInputs = inputs.filter((input) => input.isTensor);
  if (tensorInputs.length !== inputs.length || tensorInputs.length === 0) {
    throw invalidParameter("The model has inputs that are not tensors; Lathe feeds tensor inputs only.");
  }
  const count = batch.rows.length;
  if (tensorInputs.length === 1) {
    const input = tensorInputs[0] as OnnxValueInfo;
    let rows = batch.rows;
    if (batch.columns && featureNames && featureNames.length > 0) {
      const columns = batch.columns;
      const order = featureNames.map((name) => {
        const index = columns.indexOf(name);
        if (index < 0) {
          throw invalidParameter(
            `Column '${name}' is missing: the model expects columns ${featureNames.map((n) => `'${n}'`).join(", ")}.`,
          );
        }
        return index;
      });
      const extra = columns.find((column) => !featureNames.includes(column));
      if (extra !== undefined) {
        throw invalidParameter(`Column '${extra}' is not an input of the model: send only ${featureNames.join(", ")}.`);
      }
      rows = rows.map((row) => order.map((index) => row[index] as Cell | Cell[]));
    }
    const flat = rows.map(flattenRow);
    const width = flat[0]?.length ?? 0;
    const expected = featureCount(input);
    flat.forEach((row, index) => {
      if (row.length !== (expected ?? width)) {
        throw invalidParameter(
          `Row ${index} has ${row.length} values, but input '${input.name}' takes ${expected ?? width} per row: send one value per feature.`,
        );
      }
    });
    const type = input.type ?? "float32";
    const columnName = (cell: number): string => {
      const position = cell % width;
      const name = batch.columns && batch.columns.length === width ? `column '${batch.columns[position]}'` : undefined;
      return `Row ${Math.floor(cell / width)}, ${name ?? `feature ${position}`}`;
    };
    const dims = input.shape.length <= 1 && width === 1 ? [count] : [count, width];
    return { [input.name]: { type, data: fill(type, flat.flat(), columnName), dims } };
  }
  const columns = batch.columns;
  if (!columns) {
    throw invalidParameter(
      `The model has ${tensorInputs.length} named inputs (${tensorInputs.map((input) => input.name).join(", ")}): send named columns, not bare rows.`,
    );
  }
  const feeds: Record<string, FeedData> = {};
  for (const input of tensorInputs) {
    const index = columns.indexOf(input.name);
    if (index < 0) {
      throw invalidParameter(
        `Column '${input.name}' is missing: the model's inputs are ${tensorInputs.map((i) => `'${i.name}'`).join(", ")}.`,
      );
    }
    const cells = batch.rows.map((row) => row[index] as Cell | Cell[]);
    const width = Array.isArray(cells[0]) ? (cells[0] as Cell[]).length : 1;
    const flat = cells.flatMap((cell, row) => {
      const values = Array.isArray(cell) ? (cell as Cell[]) : [cell as Cell];
      if (values.length !== width) {
        throw invalidParameter(`Row ${row} of column '${input.name}' has ${values.length} values; expected ${width}.`);
      }
      return values;
    });
    const type = input.type ?? "float32";
    const dims = input.shape.length === 1 ? [count] : [count, width];
    feeds[input.name] = {
      type,
      data: fill(type, flat, (cell) => `Row ${Math.floor(cell / width)} of column '${input.name}'`),
      dims,
    };
  }
  const extra = columns.find((column) => !tensorInputs.some((input) => input.name === column));
  if (extra !== undefined) {
    throw invalidParameter(
      `Column '${extra}' is not an input of the model: its inputs are ${tensorInputs.map((i) => `'${i.name}'`).join(", ")}.`,
    );
  }
  return feeds;
}
