/**
 * @module serving/protocol/v2
 * The Open Inference Protocol (KServe V2) over REST (reference/serving_style.md §1): health, model
 * metadata and readiness, and `infer`, each also under `/versions/{v}`. Inputs are named tensors
 * (`name`, `datatype`, `shape`, `data` flat or nested, row-major). A request sends either the model's
 * ONNX input as one `[N, features]` tensor, or one `[N]` (or `[N, 1]`) tensor per signature column.
 * Errors are `{"error": "..."}`: 400 for bad input, 404 for an unknown model or version.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { LatheError } from "../../core/errors.js";
import type { PredictionResult } from "../../models/onnx/runtime.js";
import { VERSION } from "../../version.js";
import type { ServedModel } from "../model.js";
import type { TabularInput } from "../schema.js";
import type { ServingContext } from "../service.js";

const NUMERIC_DATATYPES = new Set([
  "FP16",
  "FP32",
  "FP64",
  "INT8",
  "INT16",
  "INT32",
  "INT64",
  "UINT8",
  "UINT16",
  "UINT32",
  "UINT64",
]);
const DATATYPES = new Set([...NUMERIC_DATATYPES, "BOOL", "BYTES", "BF16"]);

/** onnxruntime element types as OIP datatypes (§1.4). */
const ONNX_TO_V2: Record<string, string> = {
  float32: "FP32",
  float64: "FP64",
  float16: "FP16",
  int8: "INT8",
  int16: "INT16",
  int32: "INT32",
  int64: "INT64",
  uint8: "UINT8",
  uint16: "UINT16",
  uint32: "UINT32",
  uint64: "UINT64",
  bool: "BOOL",
  string: "BYTES",
};

export interface V2Tensor {
  name: string;
  datatype: string;
  shape: number[];
  data: unknown[];
}

function invalid(message: string): LatheError {
  return new LatheError("BAD_REQUEST", message);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Deepest nesting of `data` accepted; real tensors have a handful of dimensions. */
const MAX_DEPTH = 32;

/** Flattens nested lists row-major, without recursion (a hostile body can nest thousands deep). */
function flatten(value: readonly unknown[]): unknown[] {
  if (!value.some(Array.isArray)) return value as unknown[];
  const out: unknown[] = [];
  const stack: { list: readonly unknown[]; index: number }[] = [{ list: value, index: 0 }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1] as { list: readonly unknown[]; index: number };
    if (top.index >= top.list.length) {
      stack.pop();
      continue;
    }
    const item = top.list[top.index++];
    if (Array.isArray(item)) {
      if (stack.length >= MAX_DEPTH) throw invalid(`Tensor data is nested more than ${MAX_DEPTH} levels deep.`);
      stack.push({ list: item, index: 0 });
    } else out.push(item);
  }
  return out;
}

function product(shape: readonly number[]): number {
  return shape.reduce((total, size) => total * size, 1);
}

/** Reads and checks one input tensor of an infer request. */
function readTensor(value: unknown, index: number): V2Tensor {
  if (!isRecord(value)) throw invalid(`inputs[${index}] must be an object {name, datatype, shape, data}.`);
  const { name, datatype, shape, data } = value;
  if (typeof name !== "string" || name === "") throw invalid(`inputs[${index}] has no 'name'.`);
  if (typeof datatype !== "string" || !DATATYPES.has(datatype)) {
    throw invalid(
      `Input '${name}' has datatype ${JSON.stringify(datatype)}; use one of ${[...DATATYPES].join(", ")} (FP32 or FP64 for numeric features).`,
    );
  }
  if (!Array.isArray(shape) || !shape.every((size) => Number.isInteger(size) && size >= 0)) {
    throw invalid(`Input '${name}' needs 'shape' as a list of non-negative integers, e.g. [2, 4].`);
  }
  if (!Array.isArray(data)) throw invalid(`Input '${name}' needs 'data' as a list (flat or nested, row-major).`);
  const flat = flatten(data);
  const expected = product(shape as number[]);
  if (flat.length !== expected) {
    throw invalid(
      `Input '${name}' has shape [${shape.join(", ")}], which holds ${expected} values, but 'data' has ${flat.length}: make the shape match the data.`,
    );
  }
  if (datatype === "BYTES" || datatype === "BF16") {
    throw invalid(`Input '${name}' is ${datatype}, but the model takes numbers: send FP32 or FP64 data.`);
  }
  const wanted = datatype === "BOOL" ? "boolean" : "number";
  const wrong = flat.findIndex((item) => typeof item !== wanted && item !== null);
  if (wrong >= 0) {
    throw invalid(
      `Input '${name}' is ${datatype} but element ${wrong} is ${JSON.stringify(flat[wrong])}; send ${wanted}s only.`,
    );
  }
  return { name, datatype, shape: shape as number[], data: flat };
}

/** Turns the request's tensors into the model's table: one feature matrix, or one tensor per column. */
export function tensorsToTable(tensors: readonly V2Tensor[], model: ServedModel): TabularInput {
  const inputName = model.schema.input.name;
  const matrix = tensors.length === 1 ? tensors[0] : tensors.find((tensor) => tensor.name === inputName);
  const named = model.schema.named && model.schema.columns.some((column) => column.name === matrix?.name);
  if (matrix && !named && (matrix.name === inputName || tensors.length === 1)) {
    if (tensors.length > 1) {
      throw invalid(`Send only input '${inputName}' (the feature matrix), or one tensor per column, not both.`);
    }
    if (matrix.shape.length !== 2) {
      throw invalid(
        `Input '${matrix.name}' must have shape [rows, ${model.schema.columns.length}]; got [${matrix.shape.join(", ")}].`,
      );
    }
    const [rowCount, width] = matrix.shape as [number, number];
    const rows = Array.from({ length: rowCount }, (_, row) => matrix.data.slice(row * width, (row + 1) * width));
    return { columns: undefined, rows };
  }
  const counts = tensors.map((tensor) => {
    if (tensor.shape.length === 0 || tensor.shape.length > 2 || (tensor.shape.length === 2 && tensor.shape[1] !== 1)) {
      throw invalid(
        `Input '${tensor.name}' must have shape [rows] or [rows, 1] (one tensor per column); got [${tensor.shape.join(", ")}].`,
      );
    }
    return tensor.shape[0] as number;
  });
  const rowCount = counts[0] ?? 0;
  counts.forEach((count, index) => {
    if (count !== rowCount) {
      throw invalid(`Input '${tensors[index]?.name}' has ${count} rows but '${tensors[0]?.name}' has ${rowCount}.`);
    }
  });
  const rows = Array.from({ length: rowCount }, (_, row) => tensors.map((tensor) => tensor.data[row]));
  return { columns: tensors.map((tensor) => tensor.name), rows };
}

/** Reads an infer request body. */
export function decodeInferRequest(text: string): { id?: string; tensors: V2Tensor[]; outputs?: string[] } {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw invalid(
      `The body is not valid JSON (${(error as Error).message}); send {"inputs": [{name, datatype, shape, data}]}.`,
    );
  }
  if (!isRecord(body)) throw invalid(`The body must be a JSON object {"inputs": [{name, datatype, shape, data}]}.`);
  if (!Array.isArray(body.inputs) || body.inputs.length === 0) {
    throw invalid(`'inputs' must be a non-empty list of tensors {name, datatype, shape, data}.`);
  }
  const tensors = body.inputs.map(readTensor);
  const names = new Set<string>();
  for (const tensor of tensors) {
    if (names.has(tensor.name)) throw invalid(`Input '${tensor.name}' appears twice.`);
    names.add(tensor.name);
  }
  if (body.id !== undefined && typeof body.id !== "string") throw invalid("'id' must be a string.");
  let outputs: string[] | undefined;
  if (body.outputs !== undefined) {
    if (
      !Array.isArray(body.outputs) ||
      !body.outputs.every((output) => isRecord(output) && typeof output.name === "string")
    ) {
      throw invalid(`'outputs' must be a list of {"name": ...} objects.`);
    }
    outputs = body.outputs.map((output) => (output as { name: string }).name);
  }
  return { id: body.id as string | undefined, tensors, ...(outputs ? { outputs } : {}) };
}

/** The value's shape and flat data (one level per nested list). */
function shapeOf(value: unknown): { shape: number[]; data: unknown[] } {
  const shape: number[] = [];
  let level: unknown = value;
  while (Array.isArray(level)) {
    shape.push(level.length);
    level = level[0];
  }
  return { shape, data: Array.isArray(value) ? flatten(value) : [value] };
}

/** The model's outputs as V2 tensors, plus `label` when the model gives only probabilities. */
export function resultToTensors(result: PredictionResult, model: ServedModel): V2Tensor[] {
  const tensors: V2Tensor[] = [];
  for (const meta of model.onnx.outputs) {
    const value = result.outputs[meta.name];
    if (value === undefined) continue;
    if (!meta.isTensor) {
      // A ZipMap (list of class -> probability maps) travels as its probability matrix.
      if (result.probabilities) {
        const { shape, data } = shapeOf(result.probabilities);
        tensors.push({ name: meta.name, datatype: "FP32", shape, data });
      }
      continue;
    }
    const { shape, data } = shapeOf(value);
    tensors.push({ name: meta.name, datatype: ONNX_TO_V2[meta.type ?? ""] ?? "FP32", shape, data });
  }
  if (result.label && !tensors.some((tensor) => tensor.name === "label")) {
    const datatype = result.label.every((label) => typeof label === "number") ? "INT64" : "BYTES";
    tensors.push({ name: "label", datatype, shape: [result.label.length], data: [...result.label] });
  }
  return tensors;
}

function outputMetadata(model: ServedModel): { name: string; datatype: string; shape: number[] }[] {
  const outputs = model.onnx.outputs.map((output) => ({
    name: output.name,
    datatype: output.isTensor ? (ONNX_TO_V2[output.type ?? ""] ?? "FP32") : "FP32",
    shape: output.isTensor ? output.shape.map((size) => (typeof size === "number" && size > 0 ? size : -1)) : [-1, -1],
  }));
  const classifier = model.onnx.outputs.some((output) => /prob/.test(output.name));
  if (classifier && !outputs.some((output) => output.name === "label")) {
    outputs.push({ name: "label", datatype: "INT64", shape: [-1] });
  }
  return outputs;
}

/** Model metadata (§1.2): name, versions, platform, inputs and outputs with datatype and shape. */
export function modelMetadata(model: ServedModel): Record<string, unknown> {
  const datatype = ONNX_TO_V2[model.schema.elementType] ?? "FP32";
  return {
    name: model.name,
    ...(model.version !== undefined ? { versions: [model.version] } : {}),
    platform: "onnxruntime",
    inputs: [{ name: model.schema.input.name, datatype, shape: [-1, model.schema.columns.length] }],
    outputs: outputMetadata(model),
    ...(model.schema.named
      ? { parameters: { columns: model.schema.columns.map((column) => column.name).join(",") } }
      : {}),
  };
}

function notFound(message: string): LatheError {
  return new LatheError("RESOURCE_DOES_NOT_EXIST", message);
}

/** The served model, if the path names it (and its version, when given). */
function checkModel(model: ServedModel, name: string, version: string | undefined): void {
  if (name !== model.name) {
    throw notFound(`Model with name ${name} does not exist. This server serves '${model.name}'.`);
  }
  if (version !== undefined && version !== model.version) {
    throw notFound(
      `Model ${name} has no version ${version} here; it serves ${model.version === undefined ? "an unversioned model" : `version ${model.version}`}.`,
    );
  }
}

type ModelParams = { name: string; version?: string };

/** Mounts the /v2 routes. */
export function registerV2Routes(app: FastifyInstance, context: ServingContext): void {
  const { holder } = context;
  app.get("/v2", () => ({ name: "lathe", version: VERSION, extensions: [] }));
  app.get("/v2/health/live", () => ({ live: true }));
  app.get("/v2/health/ready", (_request, reply) =>
    holder.ready ? reply.send({ ready: true }) : reply.code(503).send({ ready: false }),
  );
  app.get("/v2/models", () => ({ models: holder.current ? [holder.current.name] : [] }));

  const metadata = (request: FastifyRequest, reply: FastifyReply) => {
    const params = request.params as ModelParams;
    const lease = holder.acquire();
    try {
      checkModel(lease.model, params.name, params.version);
      return reply.send(modelMetadata(lease.model));
    } finally {
      lease.release();
    }
  };
  const ready = (request: FastifyRequest, reply: FastifyReply) => {
    const params = request.params as ModelParams;
    const current = holder.current;
    if (!current) return reply.code(503).send({ name: params.name, ready: false });
    checkModel(current, params.name, params.version);
    return reply.send({ name: params.name, ready: true });
  };
  const infer = async (request: FastifyRequest, reply: FastifyReply) => {
    const params = request.params as ModelParams;
    const lease = holder.acquire();
    try {
      checkModel(lease.model, params.name, params.version);
      const decoded = decodeInferRequest(typeof request.body === "string" ? request.body : "");
      const table = tensorsToTable(decoded.tensors, lease.model);
      const { result } = await context.predict(lease.model, table);
      let outputs = resultToTensors(result, lease.model);
      if (decoded.outputs) {
        const known = new Set(outputs.map((output) => output.name));
        const unknown = decoded.outputs.find((name) => !known.has(name));
        if (unknown !== undefined) {
          throw invalid(`Output '${unknown}' does not exist; the model's outputs are ${[...known].join(", ")}.`);
        }
        outputs = outputs.filter((output) => decoded.outputs?.includes(output.name));
      }
      context.record(request, lease.model, "v2", table, Object.fromEntries(outputs.map((o) => [o.name, o.data])));
      return reply.send({
        model_name: lease.model.name,
        ...(lease.model.version !== undefined ? { model_version: lease.model.version } : {}),
        ...(decoded.id !== undefined ? { id: decoded.id } : {}),
        outputs,
      });
    } finally {
      lease.release();
    }
  };

  for (const prefix of ["/v2/models/:name", "/v2/models/:name/versions/:version"]) {
    app.get(prefix, metadata);
    app.get(`${prefix}/ready`, ready);
    app.post(`${prefix}/infer`, infer);
  }
}
