/**
 * @module serving/schema
 * What a served model accepts, and the per-request check against it. The columns come from the
 * MLmodel signature when there is one, else from the ONNX input's metadata (unnamed features).
 * `toFeed` validates one request's table completely — missing or extra columns, wrong types, NaN in a
 * column that takes none, wrong row width — and only then builds the typed array the runtime takes, so a
 * request that reaches the batcher can no longer fail on its own input.
 */
import { invalidParameter, type LatheError } from "../core/errors.js";
import type { FeedData, OnnxValueInfo } from "../models/onnx/feeds.js";
import type { Schema } from "../models/signature.js";

/** MLflow column types (reference/mlflow.md §6) that a numeric ONNX input can take. */
export type ColumnType = "float" | "double" | "integer" | "long" | "boolean";

export interface InputColumn {
  readonly name: string;
  readonly type: ColumnType;
  readonly required: boolean;
}

/** A decoded request body: named columns with rows, or bare rows (positional features). */
export interface TabularInput {
  /** Column names in row order; undefined when the client sent bare rows. */
  readonly columns: readonly string[] | undefined;
  readonly rows: readonly (readonly unknown[])[];
}

/** The element types the serving path feeds (the exporters we serve write these). */
const NUMERIC_TYPES = new Set(["float32", "float64", "int32", "int64"]);

const COLUMN_TYPES = new Set<string>(["float", "double", "integer", "long", "boolean"]);

function typeForOnnx(type: string): ColumnType {
  if (type === "float64") return "double";
  if (type === "int32") return "integer";
  if (type === "int64") return "long";
  return "float";
}

/**
 * The columns of an MLmodel signature's inputs (parsed by models/signature). Tensor specs carry no
 * column names, so they yield `undefined` and the ONNX metadata is used instead.
 *
 * @throws LatheError when a column has a type a numeric ONNX input cannot take
 */
export function signatureColumns(schema: Schema | undefined): InputColumn[] | undefined {
  if (!schema || schema.length === 0) return undefined;
  const columns: InputColumn[] = [];
  for (const spec of schema) {
    if (spec.kind !== "column" || spec.name === undefined) return undefined;
    if (!COLUMN_TYPES.has(spec.type)) {
      throw invalidParameter(
        `Signature column '${spec.name}' has type '${spec.type}', which an ONNX model served by Lathe cannot take; use float, double, integer, long or boolean columns.`,
      );
    }
    columns.push({ name: spec.name, type: spec.type as ColumnType, required: spec.required });
  }
  return columns;
}

function describeColumns(columns: readonly InputColumn[]): string {
  const shown = columns.slice(0, 12).map((column) => `'${column.name}' (${column.type})`);
  return columns.length > 12 ? `${shown.join(", ")} and ${columns.length - 12} more` : shown.join(", ");
}

function showValue(value: unknown): string {
  const text = typeof value === "string" ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  return text.length > 40 ? `${text.slice(0, 40)}...` : text;
}

/** The inputs of one served model and the conversion of a request's table into a feed. */
export class InputSchema {
  /** The ONNX input every column goes into, as `[rows, columns.length]` (or `[rows]`). */
  readonly input: OnnxValueInfo;
  readonly columns: readonly InputColumn[];
  /** True when the columns carry real names (a signature); false for `f0, f1, ...` from the ONNX shape. */
  readonly named: boolean;
  readonly #elementType: string;
  readonly #index: Map<string, number>;

  private constructor(input: OnnxValueInfo, columns: readonly InputColumn[], named: boolean) {
    this.input = input;
    this.columns = columns;
    this.named = named;
    this.#elementType = input.type ?? "float32";
    this.#index = new Map(columns.map((column, index) => [column.name, index]));
  }

  /**
   * Builds the schema of a model from its ONNX inputs and, when present, its signature columns.
   *
   * @throws LatheError when the model's inputs are not something the server can feed
   */
  static create(inputs: readonly OnnxValueInfo[], signature: readonly InputColumn[] | undefined): InputSchema {
    if (inputs.length !== 1 || !inputs[0]?.isTensor) {
      throw invalidParameter(
        `The model has ${inputs.length} inputs (${inputs.map((input) => input.name).join(", ")}); 'lathe serve' serves models with one tensor input of shape [N, features]. Export the model with a single input.`,
      );
    }
    const input = inputs[0];
    const type = input.type ?? "float32";
    if (!NUMERIC_TYPES.has(type)) {
      throw invalidParameter(
        `The model's input '${input.name}' is a '${type}' tensor; 'lathe serve' feeds numeric tensors only.`,
      );
    }
    const width = typeof input.shape[1] === "number" && input.shape[1] > 0 ? input.shape[1] : undefined;
    if (signature && (width === undefined || signature.length === width))
      return new InputSchema(input, signature, true);
    if (width === undefined) {
      throw invalidParameter(
        `The model's input '${input.name}' has no fixed feature count and the model has no signature; log the model with a signature.`,
      );
    }
    const columns = Array.from({ length: width }, (_, index) => ({
      name: `f${index}`,
      type: typeForOnnx(type),
      required: true,
    }));
    return new InputSchema(input, columns, false);
  }

  /** The datatype name onnxruntime uses for the input (`float32`, `int64` ...). */
  get elementType(): string {
    return this.#elementType;
  }

  /**
   * Validates a request's table and turns it into the feed for the model's input.
   *
   * @throws LatheError INVALID_PARAMETER_VALUE naming the column (and row) and what was expected
   */
  toFeed(table: TabularInput): FeedData {
    const rowCount = table.rows.length;
    if (rowCount === 0) throw invalidParameter("The request holds no rows: send at least one row to predict on.");
    const width = this.columns.length;
    const order = this.#columnOrder(table.columns);
    const data = this.#allocate(rowCount * width);
    for (let row = 0; row < rowCount; row++) {
      const cells = table.rows[row];
      if (!Array.isArray(cells)) throw invalidParameter(`Row ${row} is not a list of values.`);
      if (cells.length !== (table.columns?.length ?? width)) {
        throw invalidParameter(
          table.columns
            ? `Row ${row} has ${cells.length} values but ${table.columns.length} columns were named: give every row one value per column.`
            : `Row ${row} has ${cells.length} values but the model takes ${width} per row: ${describeColumns(this.columns)}.`,
        );
      }
      for (let position = 0; position < width; position++) {
        const column = this.columns[position] as InputColumn;
        const source = order ? order[position] : position;
        const value = source === undefined ? null : cells[source];
        this.#store(data, row * width + position, this.#convert(value, column, row));
      }
    }
    const dims = this.input.shape.length === 1 ? [rowCount] : [rowCount, width];
    return { type: this.#elementType, data, dims };
  }

  /** For each model column, where it sits in the request's columns (undefined = absent). */
  #columnOrder(requestColumns: readonly string[] | undefined): (number | undefined)[] | undefined {
    if (requestColumns === undefined) return undefined;
    const seen = new Set<string>();
    for (const name of requestColumns) {
      if (typeof name !== "string") throw invalidParameter("Column names must be strings.");
      if (seen.has(name)) throw invalidParameter(`Column '${name}' appears twice: name every column once.`);
      seen.add(name);
    }
    if (!this.named) {
      // Without a signature the features have no names: take the columns in the order sent.
      if (requestColumns.length !== this.columns.length) {
        throw invalidParameter(
          `The request has ${requestColumns.length} columns but the model takes ${this.columns.length} features (input '${this.input.name}'); send ${this.columns.length} columns in the training order.`,
        );
      }
      return undefined;
    }
    const extra = requestColumns.filter((name) => !this.#index.has(name));
    const positions = this.columns.map((column) => {
      const index = requestColumns.indexOf(column.name);
      return index < 0 ? undefined : index;
    });
    const missing = this.columns.filter((column, index) => positions[index] === undefined && column.required);
    if (missing.length > 0 || extra.length > 0) {
      const parts: string[] = [];
      if (missing.length > 0)
        parts.push(`missing column${missing.length > 1 ? "s" : ""} ${missing.map((c) => `'${c.name}'`).join(", ")}`);
      if (extra.length > 0)
        parts.push(`unknown column${extra.length > 1 ? "s" : ""} ${extra.map((c) => `'${c}'`).join(", ")}`);
      throw invalidParameter(
        `The input does not match the model signature: ${parts.join("; ")}. The model takes ${describeColumns(this.columns)}.`,
      );
    }
    return positions;
  }

  #convert(value: unknown, column: InputColumn, row: number): number {
    // The common case, a finite number where one is expected, builds nothing (not even the message prefix).
    if (
      typeof value === "number" &&
      Number.isFinite(value) &&
      column.type !== "boolean" &&
      (Number.isInteger(value) || (column.type !== "integer" && column.type !== "long"))
    ) {
      return value;
    }
    return this.#convertOther(value, column, row);
  }

  /** Every other value: strings, booleans, nulls, NaN, infinities, and the errors they earn. */
  #convertOther(value: unknown, column: InputColumn, row: number): number {
    const where = `Column '${column.name}' (row ${row})`;
    if (value === null || value === undefined || (typeof value === "string" && value.trim() === "")) {
      if (!takesNaN(column)) throw missingValue(where, column);
      return Number.NaN;
    }
    if (column.type === "boolean") {
      if (typeof value === "boolean") return value ? 1 : 0;
      if (value === "true" || value === "false") return value === "true" ? 1 : 0;
      throw invalidParameter(`${where} must be a boolean (true or false); got ${showValue(value)}.`);
    }
    let number: number;
    if (typeof value === "number") number = value;
    else if (typeof value === "string") number = Number(value.trim());
    else throw invalidParameter(`${where} must be a ${column.type} number; got ${showValue(value)}.`);
    if (Number.isNaN(number)) {
      if (typeof value === "string" && !/^nan$/i.test(value.trim())) {
        throw invalidParameter(
          `${where} must be a ${column.type} number; got ${showValue(value)}, which is not a number.`,
        );
      }
      if (!takesNaN(column)) throw missingValue(where, column);
      return number;
    }
    if (!Number.isFinite(number)) {
      // scikit-learn refuses infinite features at training and predict time alike.
      throw invalidParameter(`${where} is ${number}; send a finite number.`);
    }
    if ((column.type === "integer" || column.type === "long") && !Number.isInteger(number)) {
      throw invalidParameter(`${where} must be a whole number (${column.type}); got ${showValue(value)}.`);
    }
    return number;
  }

  #allocate(length: number): FeedData["data"] {
    switch (this.#elementType) {
      case "float64":
        return new Float64Array(length);
      case "int32":
        return new Int32Array(length);
      case "int64":
        return new BigInt64Array(length);
      default:
        return new Float32Array(length);
    }
  }

  #store(data: FeedData["data"], index: number, value: number): void {
    if (data instanceof BigInt64Array) {
      if (!Number.isInteger(value)) {
        throw invalidParameter(
          `Every value for input '${this.input.name}' must be a whole number (int64); got ${value}.`,
        );
      }
      data[index] = BigInt(value);
    } else (data as Float32Array)[index] = value;
  }
}

/** As in MLflow's schema enforcement, float and double columns take NaN (null); whole numbers and booleans do not. */
function takesNaN(column: InputColumn): boolean {
  return column.type === "float" || column.type === "double";
}

function missingValue(where: string, column: InputColumn): LatheError {
  return invalidParameter(
    `${where} has no value (null, empty or NaN), but a ${column.type} column needs one in every row; fill it in or drop the row.`,
  );
}

/** Joins several requests' feeds into one batch along the first axis. */
export function concatFeeds(feeds: readonly FeedData[]): FeedData {
  const first = feeds[0];
  if (!first) throw invalidParameter("Nothing to predict on.");
  if (feeds.length === 1) return first;
  const total = feeds.reduce((sum, feed) => sum + feed.data.length, 0);
  const rows = feeds.reduce((sum, feed) => sum + (feed.dims[0] ?? 0), 0);
  const Constructor = (first.data as Float32Array).constructor as new (length: number) => Float32Array;
  const data = new Constructor(total);
  let offset = 0;
  for (const feed of feeds) {
    data.set(feed.data as Float32Array, offset);
    offset += feed.data.length;
  }
  return { type: first.type, data, dims: [rows, ...first.dims.slice(1)] };
}
