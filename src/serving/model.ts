/**
 * @module serving/model
 * A model ready to serve: its ONNX session, the input schema requests are checked against, the
 * batcher that joins concurrent requests, and its name and version for responses, metrics and logs.
 * Loads an MLmodel directory written by `mlflow.onnx` (or by Lathe), or a bare `.onnx` file.
 */
import { existsSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { invalidParameter } from "../core/errors.js";
import { MLMODEL_FILE } from "../models/mlmodel.js";
import { loadModelDir } from "../models/model-dir.js";
import type { FeedData } from "../models/onnx/feeds.js";
import { OnnxModel, type PredictionResult } from "../models/onnx/runtime.js";
import type { Schema } from "../models/signature.js";
import { Batcher } from "./batcher.js";
import { isDirectory } from "./model-source.js";
import { InputSchema, signatureColumns } from "./schema.js";

export interface BatchingOptions {
  /** Window in ms; 0 turns batching off. */
  windowMs: number;
  maxBatchRows: number;
  onBatch?: (rows: number, requests: number) => void;
}

export interface ServedModelOptions {
  readonly name: string;
  readonly version: string | undefined;
  readonly batching: BatchingOptions;
}

/** The ONNX file and input schema of a model directory (or a bare `.onnx` file). */
async function locateModel(path: string): Promise<{ onnxPath: string; inputs: Schema | undefined }> {
  if (!isDirectory(path)) return { onnxPath: path, inputs: undefined };
  if (existsSync(join(path, MLMODEL_FILE))) {
    const loaded = await loadModelDir(path);
    return { onnxPath: loaded.modelPath, inputs: loaded.mlmodel.signature?.inputs };
  }
  const onnxFiles = (await readdir(path)).filter((file) => file.endsWith(".onnx"));
  if (onnxFiles.length !== 1) {
    throw invalidParameter(
      `'${path}' has no MLmodel file and ${onnxFiles.length} .onnx files; point at a model directory or a single .onnx file.`,
    );
  }
  return { onnxPath: join(path, onnxFiles[0] as string), inputs: undefined };
}

export class ServedModel {
  readonly name: string;
  readonly version: string | undefined;
  readonly onnx: OnnxModel;
  readonly schema: InputSchema;
  readonly batcher: Batcher;

  private constructor(onnx: OnnxModel, schema: InputSchema, options: ServedModelOptions) {
    this.name = options.name;
    this.version = options.version;
    this.onnx = onnx;
    this.schema = schema;
    this.batcher = new Batcher((feed) => this.onnx.run({ [schema.input.name]: feed }), options.batching);
  }

  /**
   * Loads the model at `path` (a model directory or an `.onnx` file).
   *
   * @throws LatheError when the files are not an ONNX model the server can feed
   */
  static async load(path: string, options: ServedModelOptions): Promise<ServedModel> {
    const { onnxPath, inputs } = await locateModel(path);
    const columns = signatureColumns(inputs);
    const onnx = await OnnxModel.load(onnxPath, { featureNames: columns?.map((column) => column.name) });
    try {
      return new ServedModel(onnx, InputSchema.create(onnx.inputs, columns), options);
    } catch (error) {
      await onnx.close();
      throw error;
    }
  }

  /** Predicts on one validated feed (through the batcher); returns the raw outputs and their reading. */
  async predict(feed: FeedData): Promise<PredictionResult> {
    return this.onnx.interpret(await this.batcher.submit(feed));
  }

  /** The version as a label value: the registry number, or "" for local models. */
  get versionLabel(): string {
    return this.version ?? "";
  }

  async close(): Promise<void> {
    await this.onnx.close();
  }
}
