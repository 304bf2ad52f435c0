/**
 * @module models/onnx/runtime
 * `OnnxModel`, a thin wrapper over onnxruntime-node's `InferenceSession`: input and output metadata,
 * and `predict` from a batch of rows or columns to labels, probabilities or predictions in one shape
 * whatever the exporter wrote (skl2onnx's `label` + `probabilities`, a ZipMap, a bare probability
 * output, or a regressor's `variable`). onnxruntime-node is loaded on first use, so importing this
 * module costs nothing.
 */
import { readFile } from "node:fs/promises";
import { LatheError } from "../../core/errors.js";
import { buildFeeds, type FeedData, type OnnxValueInfo, type PredictBatch, toTabular } from "./feeds.js";
import { exposeZipMapInputs, type ScannedModel, type ZipMapInfo } from "./zipmap.js";

type OrtModule = typeof import("onnxruntime-node");
type OrtSession = import("onnxruntime-node").InferenceSession;
type OrtTensor = import("onnxruntime-node").Tensor;

let ortPromise: Promise<OrtModule> | undefined;

/** onnxruntime-node, imported once on first use. */
export function loadOnnxRuntime(): Promise<OrtModule> {
  ortPromise ??= import("onnxruntime-node")
    .then((module) => ((module as { default?: OrtModule }).default ?? module) as OrtModule)
    .catch((error: unknown) => {
      ortPromise = undefined;
      throw new LatheError(
        "INTERNAL_ERROR",
        `onnxruntime-node could not be loaded (${error instanceof Error ? error.message : String(error)}); reinstall it with 'npm ci'.`,
        { cause: error },
      );
    });
  return ortPromise;
}

export interface OnnxModelOptions {
  /** Threads inside one operator; default 1, which serves single rows fastest (reference/serving_style.md §2.4). */
  intraOpNumThreads?: number;
  /** Threads across operators (only with `executionMode: "parallel"`); default 1. */
  interOpNumThreads?: number;
  executionMode?: "sequential" | "parallel";
  graphOptimizationLevel?: "disabled" | "basic" | "extended" | "all";
  /** Execution providers, default `["cpu"]`. */
  executionProviders?: readonly string[];
  /** Class names for models that output only probabilities (an MLP); else labels are class indexes. */
  classLabels?: readonly (string | number)[];
  /** Column order of the single input, to reorder named columns into (from the signature). */
  featureNames?: readonly string[];
}

/** What `predict` returns; which fields are set depends on the model. */
export interface PredictionResult {
  /** One predicted class per row (classifiers). */
  label?: (string | number)[];
  /** One probability per class per row (classifiers). */
  probabilities?: number[][];
  /** The class of each probability column, when known. */
  classes?: (string | number)[];
  /** One value per row (regressors with one target), or one list per row (several targets). */
  prediction?: number[] | number[][];
  /** Every output the model produced, as plain arrays (`[N]`, `[N, k]` ...). */
  outputs: Record<string, unknown>;
}

const LABEL_NAMES = ["label", "output_label"];
const PROBABILITY_NAMES = ["probabilities", "output_probability", "probability"];

function describe(meta: OrtSession["inputMetadata"][number]): OnnxValueInfo {
  return meta.isTensor
    ? { name: meta.name, type: meta.type, shape: [...meta.shape], isTensor: true }
    : { name: meta.name, type: undefined, shape: [], isTensor: false };
}

function plain(value: unknown): unknown {
  if (typeof value === "bigint") return Number(value);
  return value;
}

/** A runtime tensor as nested plain arrays following its dims (bigints become numbers). */
function tensorToArray(tensor: OrtTensor): unknown {
  const data = Array.from(tensor.data as ArrayLike<unknown>, plain);
  const dims = tensor.dims;
  if (dims.length <= 1) return data;
  const rows = dims[0] ?? 0;
  const width = data.length / Math.max(rows, 1);
  // Deeper tensors keep one flat list per row; predictions only ever need the first axis split.
  return Array.from({ length: rows }, (_, row) => data.slice(row * width, (row + 1) * width));
}

function argmax(row: readonly number[]): number {
  let best = 0;
  for (let index = 1; index < row.length; index++) if ((row[index] ?? 0) > (row[best] ?? 0)) best = index;
  return best;
}

/**
 * An ONNX model ready to predict.
 *
 * @example
 * const model = await OnnxModel.load("model.onnx");
 * const { label, probabilities } = await model.predict([[5.1, 3.5, 1.4, 0.2]]);
 * await model.close();
 */
export class OnnxModel {
  readonly inputs: readonly OnnxValueInfo[];
  readonly outputs: readonly OnnxValueInfo[];
  readonly #session: OrtSession;
  readonly #ort: OrtModule;
  readonly #options: OnnxModelOptions;
  readonly #zipMaps: readonly ZipMapInfo[];
  /** The classifier's class labels, read from the graph when it has one classifier operator. */
  readonly classLabels: readonly (string | number)[] | undefined;

  private constructor(
    ort: OrtModule,
    session: OrtSession,
    options: OnnxModelOptions,
    scan: Omit<ScannedModel, "model">,
  ) {
    this.#ort = ort;
    this.#session = session;
    this.#options = options;
    this.#zipMaps = scan.zipMaps;
    this.classLabels = options.classLabels ?? scan.classLabels;
    this.inputs = session.inputMetadata.map(describe);
    this.outputs = session.outputMetadata.map(describe);
  }

  /** Opens a model from a file path or its bytes. */
  static async load(source: string | Uint8Array, options: OnnxModelOptions = {}): Promise<OnnxModel> {
    const ort = await loadOnnxRuntime();
    const sessionOptions: import("onnxruntime-node").InferenceSession.SessionOptions = {
      intraOpNumThreads: options.intraOpNumThreads ?? 1,
      interOpNumThreads: options.interOpNumThreads ?? 1,
      executionMode: options.executionMode ?? "sequential",
      graphOptimizationLevel: options.graphOptimizationLevel ?? "all",
      executionProviders: [...(options.executionProviders ?? ["cpu"])],
    };
    let session: OrtSession;
    let scan: Omit<ScannedModel, "model"> = { zipMaps: [] };
    try {
      const bytes = typeof source === "string" ? new Uint8Array(await readFile(source)) : source;
      const { model: exposed, ...found } = exposeZipMapInputs(bytes);
      scan = found;
      // Load by path when nothing was rewritten, so weights stored as external data next to it are found.
      session =
        typeof source === "string" && exposed === bytes
          ? await ort.InferenceSession.create(source, sessionOptions)
          : await ort.InferenceSession.create(exposed, sessionOptions);
    } catch (error) {
      const what = typeof source === "string" ? `'${source}'` : "the given bytes";
      throw new LatheError(
        "INVALID_PARAMETER_VALUE",
        `Cannot load the ONNX model from ${what}: ${error instanceof Error ? error.message : String(error)}. Check that it is a complete .onnx file.`,
        { cause: error },
      );
    }
    return new OnnxModel(ort, session, options, scan);
  }

  /** Runs the model on raw feeds and returns its outputs as plain arrays (tensor outputs only). */
  async run(feeds: Readonly<Record<string, FeedData>>): Promise<Record<string, unknown>> {
    const tensors: Record<string, OrtTensor> = {};
    for (const [name, feed] of Object.entries(feeds)) {
      tensors[name] = new this.#ort.Tensor(feed.type as "float32", feed.data as Float32Array, [...feed.dims]);
    }
    // onnxruntime-node returns tensors only; a ZipMap's probabilities are read from its input instead.
    const fetches = this.outputs.filter((output) => output.isTensor).map((output) => output.name);
    let results: Record<string, unknown>;
    try {
      results = (await this.#session.run(tensors, fetches)) as Record<string, unknown>;
    } catch (error) {
      throw new LatheError(
        "INVALID_PARAMETER_VALUE",
        `The model refused the input: ${error instanceof Error ? error.message.trim() : String(error)}`,
        { cause: error },
      );
    }
    const outputs: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(results)) {
      outputs[name] = value instanceof this.#ort.Tensor ? tensorToArray(value) : value;
    }
    return outputs;
  }

  /**
   * Predicts on a batch (rows, `{columns, rows}`, `{column: values}` or records) and returns labels and
   * probabilities (classifiers) or predictions (regressors).
   *
   * @throws LatheError INVALID_PARAMETER_VALUE naming the row or column when the batch does not fit
   */
  async predict(batch: PredictBatch): Promise<PredictionResult> {
    const feeds = buildFeeds(this.inputs, toTabular(batch), this.#options.featureNames);
    return this.interpret(await this.run(feeds));
  }

  /** Maps raw outputs to labels, probabilities and predictions. */
  interpret(outputs: Record<string, unknown>): PredictionResult {
    const result: PredictionResult = { outputs };
    const names = Object.keys(outputs);
    const labelName = names.find((name) => LABEL_NAMES.includes(name));
    const zipMap = this.#zipMaps.find((info) => names.includes(info.probabilities));
    const probabilityName = names.find((name) => PROBABILITY_NAMES.includes(name)) ?? zipMap?.probabilities;
    if (zipMap && probabilityName === zipMap.probabilities && zipMap.classes.length > 0) {
      result.classes = [...zipMap.classes];
    }
    if (labelName !== undefined) {
      const labels = outputs[labelName] as unknown[];
      result.label = labels.map((value) => (Array.isArray(value) ? value[0] : value) as string | number);
    }
    if (probabilityName !== undefined) {
      result.probabilities = outputs[probabilityName] as number[][];
    }
    if (result.probabilities && !result.classes && this.classLabels) {
      result.classes = [...this.classLabels];
    }
    if (result.probabilities && !result.label) {
      const classes = result.classes;
      result.label = result.probabilities.map((row) => {
        const best = argmax(row);
        return classes?.[best] ?? best;
      });
    }
    if (result.label === undefined && result.probabilities === undefined) {
      const name = this.outputs.find((output) => output.isTensor && output.type?.startsWith("float"))?.name;
      const value = name === undefined ? undefined : outputs[name];
      if (Array.isArray(value)) {
        result.prediction = value.every((row) => Array.isArray(row) && row.length === 1)
          ? (value as number[][]).map((row) => row[0] as number)
          : (value as number[] | number[][]);
      }
    }
    return result;
  }

  /** Frees the session's native memory. */
  async close(): Promise<void> {
    await this.#session.release();
  }
}
