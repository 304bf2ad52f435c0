/**
 * @module models/signature
 * MLflow model signatures (reference/mlflow.md §6): the column-based or tensor-based schemas of a
 * model's inputs and outputs, parsed from and written to the JSON strings the `MLmodel` file holds,
 * and the check of an input batch against them. The check names the column and what was expected,
 * so the model server can answer 400 with a message a caller can act on.
 */
import { invalidParameter } from "../core/errors.js";
import { pythonJsonDumps } from "../core/python-json.js";

/** JSON as MLflow writes signature fields: Python's `json.dumps`, keys in insertion order. */
function insertionOrderJson(value: unknown): string {
  return pythonJsonDumps(value, { sortKeys: false });
}

/** MLflow's base column types (`mlflow.types.DataType`). */
export const COLUMN_TYPES = ["boolean", "integer", "long", "float", "double", "string", "binary", "datetime"] as const;
export type ColumnType = (typeof COLUMN_TYPES)[number];

/** numpy dtype names a tensor spec may carry. */
const TENSOR_DTYPES = new Set([
  "bool",
  "int8",
  "int16",
  "int32",
  "int64",
  "uint8",
  "uint16",
  "uint32",
  "uint64",
  "float16",
  "float32",
  "float64",
  "str",
  "object",
  "bytes",
]);

/** One column: a base type, or a composite (`array`, `object`, `map`, `any`) kept as MLflow wrote it. */
export interface ColumnSpec {
  readonly kind: "column";
  readonly name?: string;
  /** A base type, or the composite's `type` (`array`, `object`, `map`, `any`). */
  readonly type: ColumnType | "array" | "object" | "map" | "any";
  readonly required: boolean;
  /** The composite's other keys (`items`, `properties`, `values`), written back as read. */
  readonly detail?: Readonly<Record<string, unknown>>;
}

/** One tensor: numpy dtype and shape, -1 for a free dimension. */
export interface TensorSpec {
  readonly kind: "tensor";
  readonly name?: string;
  readonly dtype: string;
  readonly shape: readonly number[];
}

export type Schema = readonly ColumnSpec[] | readonly TensorSpec[];

/** An inference parameter (`params`). */
export interface ParamSpec {
  readonly name: string;
  readonly type: string;
  readonly default: unknown;
  readonly shape: readonly number[] | null;
}

export interface ModelSignature {
  readonly inputs: Schema;
  readonly outputs?: Schema;
  readonly params?: readonly ParamSpec[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function parseSpec(value: unknown, where: string): ColumnSpec | TensorSpec {
  if (!isRecord(value)) throw invalidParameter(`${where} must be an object like {"type": "double", "name": "x"}.`);
  const name = value.name;
  if (name !== undefined && name !== null && typeof name !== "string") {
    throw invalidParameter(`${where} has a name that is not a string.`);
  }
  const named = typeof name === "string" ? { name } : {};
  if (value.type === "tensor") {
    const spec = value["tensor-spec"];
    if (!isRecord(spec) || typeof spec.dtype !== "string" || !Array.isArray(spec.shape)) {
      throw invalidParameter(
        `${where} is a tensor without a valid "tensor-spec": write {"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 4]}}.`,
      );
    }
    if (!TENSOR_DTYPES.has(spec.dtype)) {
      throw invalidParameter(
        `${where} has dtype '${spec.dtype}'; use a numpy dtype such as float32, float64 or int64.`,
      );
    }
    const shape = spec.shape.map((dim) => {
      if (typeof dim !== "number" || !Number.isInteger(dim) || dim < -1) {
        throw invalidParameter(`${where} has shape ${JSON.stringify(spec.shape)}; dimensions are whole numbers or -1.`);
      }
      return dim;
    });
    return { kind: "tensor", ...named, dtype: spec.dtype, shape };
  }
  const { type, required, name: _name, ...detail } = value;
  const composite = type === "array" || type === "object" || type === "map" || type === "any";
  if (typeof type !== "string" || !(composite || (COLUMN_TYPES as readonly string[]).includes(type))) {
    throw invalidParameter(
      `${where} has type ${JSON.stringify(type)}; use one of ${COLUMN_TYPES.join(", ")}, array, object, map, any or tensor.`,
    );
  }
  return {
    kind: "column",
    ...named,
    type: type as ColumnSpec["type"],
    required: required !== false,
    ...(Object.keys(detail).length > 0 ? { detail } : {}),
  };
}

/**
 * Parses one schema from its JSON string (`signature.inputs` / `outputs` in MLmodel).
 *
 * @example parseSchema('[{"type": "double", "name": "x"}]')
 * @throws LatheError INVALID_PARAMETER_VALUE for malformed JSON, unknown types or mixed column/tensor specs
 */
export function parseSchema(text: string, what = "schema"): Schema {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalidParameter(`The ${what} is not valid JSON; it must be a JSON list of column or tensor specs.`);
  }
  if (!Array.isArray(value) || value.length === 0) {
    throw invalidParameter(`The ${what} must be a non-empty JSON list of column or tensor specs.`);
  }
  const specs = value.map((item, index) => parseSpec(item, `Spec ${index} of the ${what}`));
  const kinds = new Set(specs.map((spec) => spec.kind));
  if (kinds.size > 1) throw invalidParameter(`The ${what} mixes column and tensor specs; use one kind only.`);
  const names = specs.map((spec) => spec.name);
  const named = names.filter((name) => name !== undefined);
  if (named.length !== 0 && named.length !== specs.length) {
    throw invalidParameter(`The ${what} names some specs and not others; name all of them or none.`);
  }
  const duplicate = named.find((name, index) => named.indexOf(name) !== index);
  if (duplicate !== undefined) throw invalidParameter(`The ${what} names '${duplicate}' twice; names must be unique.`);
  return specs as Schema;
}

function parseParams(text: string): ParamSpec[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalidParameter("The signature's params are not valid JSON; they must be a JSON list.");
  }
  if (!Array.isArray(value)) throw invalidParameter("The signature's params must be a JSON list.");
  return value.map((item, index) => {
    if (!isRecord(item) || typeof item.name !== "string" || typeof item.type !== "string") {
      throw invalidParameter(`Param ${index} of the signature needs a string name and type.`);
    }
    const shape = Array.isArray(item.shape) ? (item.shape as number[]) : null;
    return { name: item.name, type: item.type, default: item.default ?? null, shape };
  });
}

/** Parses the `signature` block of an MLmodel file (`inputs`, `outputs`, `params` as JSON strings). */
export function parseSignature(value: unknown): ModelSignature {
  if (!isRecord(value) || typeof value.inputs !== "string") {
    throw invalidParameter("The signature must have 'inputs' as a JSON string (and optionally 'outputs', 'params').");
  }
  const inputs = parseSchema(value.inputs, "signature inputs");
  const outputs = typeof value.outputs === "string" ? parseSchema(value.outputs, "signature outputs") : undefined;
  const params = typeof value.params === "string" ? parseParams(value.params) : undefined;
  return { inputs, ...(outputs ? { outputs } : {}), ...(params ? { params } : {}) };
}

function specToJson(spec: ColumnSpec | TensorSpec): Record<string, unknown> {
  if (spec.kind === "tensor") {
    // MLflow writes a tensor's name first when it has one.
    return {
      ...(spec.name !== undefined ? { name: spec.name } : {}),
      type: "tensor",
      "tensor-spec": { dtype: spec.dtype, shape: [...spec.shape] },
    };
  }
  return {
    type: spec.type,
    ...(spec.detail ?? {}),
    ...(spec.name !== undefined ? { name: spec.name } : {}),
    required: spec.required,
  };
}

/** A schema as the JSON string MLflow writes (Python `json.dumps` spacing). */
export function formatSchema(schema: Schema): string {
  return insertionOrderJson(schema.map(specToJson));
}

/** The `signature` block as MLmodel holds it: JSON strings, `params: null` when there are none. */
export function formatSignature(signature: ModelSignature): Record<string, string | null> {
  return {
    inputs: formatSchema(signature.inputs),
    outputs: signature.outputs ? formatSchema(signature.outputs) : null,
    params: signature.params
      ? insertionOrderJson(
          signature.params.map((param) => ({
            name: param.name,
            type: param.type,
            default: param.default,
            shape: param.shape === null ? null : [...param.shape],
          })),
        )
      : null,
  };
}

/** Column specs for numeric features, as a Lathe-trained model's signature has them. */
export function columnSchema(names: readonly string[], type: ColumnType = "double"): ColumnSpec[] {
  return names.map((name) => ({ kind: "column", name, type, required: true }));
}

/** The names of a schema's columns or tensors, in order (empty when unnamed). */
export function schemaNames(schema: Schema): string[] {
  return schema.flatMap((spec) => (spec.name === undefined ? [] : [spec.name]));
}
