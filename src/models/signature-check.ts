/**
 * @module models/signature-check
 * Checking an input batch against a model's input schema before it reaches the model: missing and
 * extra columns, values of the wrong type, rows of the wrong shape, and missing values (NaN, null)
 * where the type does not allow them. Like MLflow's schema enforcement, float and double columns
 * take NaN and integers; integer, long, boolean and string columns take no missing values.
 */
import { invalidParameter, type LatheError } from "../core/errors.js";
import type { PredictBatch, TabularBatch } from "./onnx/feeds.js";
import { toTabular } from "./onnx/feeds.js";
import type { ColumnSpec, Schema, TensorSpec } from "./signature.js";

/** One way a batch does not fit a schema. */
export interface SignatureProblem {
  /** The column or tensor concerned, when there is one. */
  readonly column?: string;
  /** The first row concerned, when there is one. */
  readonly row?: number;
  readonly message: string;
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

function isMissing(value: unknown): boolean {
  return value === null || value === undefined || (typeof value === "number" && Number.isNaN(value));
}

function describeValue(value: unknown): string {
  if (typeof value === "string")
    return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)}`;
  if (Array.isArray(value)) return "a list";
  if (value === null) return "null";
  return `${typeof value} ${String(value)}`;
}

/** Why `value` is not of column type `type`, or undefined when it is. */
function columnValueProblem(spec: ColumnSpec, value: unknown): string | undefined {
  if (isMissing(value)) {
    if (spec.type === "float" || spec.type === "double" || spec.type === "any") return undefined;
    if (!spec.required) return undefined;
    return `is missing (NaN or null), but ${spec.type} columns cannot hold missing values; fill them in first`;
  }
  switch (spec.type) {
    case "float":
    case "double":
      return typeof value === "number" ? undefined : `is ${describeValue(value)}; expected a number (${spec.type})`;
    case "integer":
    case "long": {
      if (typeof value === "bigint") return undefined;
      if (typeof value !== "number" || !Number.isInteger(value)) {
        return `is ${describeValue(value)}; expected a whole number (${spec.type})`;
      }
      if (spec.type === "integer" && (value < INT32_MIN || value > INT32_MAX)) {
        return `is ${value}, outside the 32-bit range of an integer column; declare it long`;
      }
      if (spec.type === "long" && !Number.isSafeInteger(value)) return `is ${value}, too large to be exact`;
      return undefined;
    }
    case "boolean":
      return typeof value === "boolean" ? undefined : `is ${describeValue(value)}; expected true or false`;
    case "string":
    case "binary":
      return typeof value === "string" ? undefined : `is ${describeValue(value)}; expected a string (${spec.type})`;
    case "datetime":
      return (typeof value === "string" && !Number.isNaN(Date.parse(value))) || typeof value === "number"
        ? undefined
        : `is ${describeValue(value)}; expected a date-time such as "2024-01-31T12:00:00"`;
    case "array":
      return Array.isArray(value) ? undefined : `is ${describeValue(value)}; expected a list`;
    case "object":
    case "map":
      return typeof value === "object" && !Array.isArray(value)
        ? undefined
        : `is ${describeValue(value)}; expected an object`;
    case "any":
      return undefined;
  }
}

function checkColumns(schema: readonly ColumnSpec[], batch: TabularBatch): SignatureProblem[] {
  const problems: SignatureProblem[] = [];
  const named = schema.every((spec) => spec.name !== undefined);
  let positions: (number | undefined)[];
  if (named && batch.columns) {
    const columns = batch.columns;
    positions = schema.map((spec) => {
      const index = columns.indexOf(spec.name as string);
      if (index < 0 && spec.required) {
        problems.push({
          column: spec.name,
          message: `Column '${spec.name}' is missing: the model expects ${schema.map((s) => `'${s.name}' (${s.type})`).join(", ")}.`,
        });
      }
      return index < 0 ? undefined : index;
    });
    for (const column of columns) {
      if (!schema.some((spec) => spec.name === column)) {
        problems.push({
          column,
          message: `Column '${column}' is not an input of the model; send only ${schema.map((s) => `'${s.name}'`).join(", ")}.`,
        });
      }
    }
  } else {
    const width = batch.rows[0]?.length ?? 0;
    const required = schema.filter((spec) => spec.required).length;
    if (width < required || width > schema.length) {
      return [
        {
          message: `Each row has ${width} values but the model expects ${schema.length} columns (${schema.map((s, i) => s.name ?? `#${i}`).join(", ")}).`,
        },
      ];
    }
    positions = schema.map((_, index) => (index < width ? index : undefined));
  }
  schema.forEach((spec, specIndex) => {
    const position = positions[specIndex];
    if (position === undefined) return;
    const label = spec.name ?? `#${specIndex}`;
    for (let row = 0; row < batch.rows.length; row++) {
      const cells = batch.rows[row] as readonly unknown[];
      if (cells.length !== (batch.columns?.length ?? cells.length)) {
        problems.push({ row, message: `Row ${row} has ${cells.length} values; expected ${batch.columns?.length}.` });
        return;
      }
      const problem = columnValueProblem(spec, cells[position]);
      if (problem !== undefined) {
        // One message per column is enough to fix the caller's data; name the first bad row.
        problems.push({ column: label, row, message: `Column '${label}' at row ${row} ${problem}.` });
        return;
      }
    }
  });
  return problems;
}

const INTEGER_DTYPES = /^u?int(8|16|32|64)$/;

function tensorValueProblem(dtype: string, value: unknown): string | undefined {
  if (dtype.startsWith("float")) {
    return typeof value === "number" || value === null ? undefined : `is ${describeValue(value)}; expected a number`;
  }
  if (INTEGER_DTYPES.test(dtype)) {
    if (isMissing(value)) return `is missing (NaN or null), but ${dtype} tensors cannot hold missing values`;
    if (typeof value === "bigint") return undefined;
    if (typeof value !== "number" || !Number.isInteger(value))
      return `is ${describeValue(value)}; expected a whole number (${dtype})`;
    if (dtype.startsWith("u") && value < 0) return `is ${value}; expected a non-negative number (${dtype})`;
    return undefined;
  }
  if (dtype === "bool")
    return typeof value === "boolean" ? undefined : `is ${describeValue(value)}; expected true or false`;
  if (dtype === "str") return typeof value === "string" ? undefined : `is ${describeValue(value)}; expected a string`;
  return undefined;
}

/** Flattens nested lists, returning the values and the shape (undefined when ragged). */
function shapeOf(value: unknown): { values: unknown[]; shape: number[] | undefined } {
  if (!Array.isArray(value)) return { values: [value], shape: [] };
  const parts = value.map(shapeOf);
  const first = parts[0]?.shape;
  const regular = first !== undefined && parts.every((part) => part.shape?.join(",") === first.join(","));
  return {
    values: parts.flatMap((part) => part.values),
    shape: regular ? [value.length, ...first] : value.length === 0 ? [0] : undefined,
  };
}

function checkTensor(spec: TensorSpec, label: string, rows: readonly unknown[]): SignatureProblem[] {
  const { values, shape } = shapeOf(rows);
  if (shape === undefined) {
    return [{ column: label, message: `Tensor ${label} is ragged: every row needs the same number of values.` }];
  }
  const expected = spec.shape;
  const fits = shape.length === expected.length && expected.every((dim, index) => dim === -1 || dim === shape[index]);
  // A [-1] tensor also takes rows of scalars given as one-element lists, and [-1, 1] bare scalars.
  const flatFits = expected.length === 2 && expected[1] === 1 && shape.length === 1;
  if (!fits && !flatFits) {
    return [
      {
        column: label,
        message: `Tensor ${label} has shape [${shape.join(", ")}] but the model expects [${expected.join(", ")}] (-1 = any size).`,
      },
    ];
  }
  const width = shape.slice(1).reduce((product, dim) => product * dim, 1);
  for (let index = 0; index < values.length; index++) {
    const problem = tensorValueProblem(spec.dtype, values[index]);
    if (problem !== undefined) {
      const row = Math.floor(index / Math.max(width, 1));
      return [{ column: label, row, message: `Tensor ${label} at row ${row} ${problem} (${spec.dtype}).` }];
    }
  }
  return [];
}

function checkTensors(schema: readonly TensorSpec[], batch: TabularBatch): SignatureProblem[] {
  if (schema.length === 1 && (batch.columns === undefined || schema[0]?.name === undefined)) {
    const spec = schema[0] as TensorSpec;
    return checkTensor(spec, spec.name === undefined ? "input" : `'${spec.name}'`, batch.rows);
  }
  if (schema.length === 1 && batch.columns && !batch.columns.includes(schema[0]?.name as string)) {
    // Named columns feeding one tensor: the columns are its features.
    const spec = schema[0] as TensorSpec;
    return checkTensor(spec, `'${spec.name}'`, batch.rows);
  }
  const columns = batch.columns;
  if (!columns) return [{ message: `The model takes ${schema.length} named tensors; send them by name.` }];
  const problems: SignatureProblem[] = [];
  for (const spec of schema) {
    const index = columns.indexOf(spec.name as string);
    if (index < 0) {
      problems.push({ column: spec.name, message: `Tensor '${spec.name}' is missing from the input.` });
      continue;
    }
    problems.push(
      ...checkTensor(
        spec,
        `'${spec.name}'`,
        batch.rows.map((row) => row[index]),
      ),
    );
  }
  for (const column of columns) {
    if (!schema.some((spec) => spec.name === column)) {
      problems.push({ column, message: `'${column}' is not an input of the model.` });
    }
  }
  return problems;
}

/** Every way `batch` does not fit `schema` (empty when it fits). */
export function checkBatch(schema: Schema, batch: PredictBatch | TabularBatch): SignatureProblem[] {
  const tabular = isTabular(batch) ? batch : toTabular(batch);
  if (schema.length === 0) return [];
  return schema[0]?.kind === "tensor"
    ? checkTensors(schema as readonly TensorSpec[], tabular)
    : checkColumns(schema as readonly ColumnSpec[], tabular);
}

function isTabular(batch: PredictBatch | TabularBatch): batch is TabularBatch {
  return (
    typeof batch === "object" &&
    !Array.isArray(batch) &&
    "rows" in batch &&
    "columns" in batch &&
    (batch.columns === undefined || Array.isArray(batch.columns))
  );
}

/**
 * Throws when `batch` does not fit `schema`, listing what is wrong.
 *
 * @throws LatheError INVALID_PARAMETER_VALUE with one sentence per problem (at most five)
 */
export function enforceSchema(schema: Schema, batch: PredictBatch | TabularBatch): void {
  const problems = checkBatch(schema, batch);
  if (problems.length === 0) return;
  throw schemaError(problems);
}

/** The error for a list of problems: the first five, and how many more there were. */
export function schemaError(problems: readonly SignatureProblem[]): LatheError {
  const shown = problems.slice(0, 5).map((problem) => problem.message);
  const more = problems.length > 5 ? ` (and ${problems.length - 5} more problems)` : "";
  return invalidParameter(`The input does not match the model's signature: ${shown.join(" ")}${more}`);
}
