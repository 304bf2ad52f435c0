/**
 * @module models/save-trained
 * Saving a model from the built-in trainers as an MLflow model directory: exported to ONNX, with a
 * column-based signature (one double column per feature; the label or value as output), so Lathe's
 * server and MLflow's `pyfunc.load_model` both serve it.
 */

import type { MLModel } from "./mlmodel.js";
import { type EnvironmentVersions, writeModelDir } from "./model-dir.js";
import { exportToOnnx } from "./onnx/export.js";
import { type ColumnSpec, columnSchema, type ModelSignature } from "./signature.js";
import type { TrainedModel } from "./train/model.js";

export interface SaveTrainedModelOptions {
  /** Up to a few rows, one value per feature, stored as `input_example.json`. */
  readonly inputExample?: readonly (readonly number[])[];
  readonly runId?: string | null;
  readonly artifactPath?: string;
  readonly versions?: EnvironmentVersions;
}

/** The signature of an exported model: its features in, its label (or value) out. */
export function trainedModelSignature(model: TrainedModel): ModelSignature {
  let output: ColumnSpec;
  if (model.task === "regression") output = { kind: "column", name: "variable", type: "float", required: true };
  else {
    const numeric = (model.classes ?? []).every((label) => typeof label === "number");
    output = { kind: "column", name: "label", type: numeric ? "long" : "string", required: true };
  }
  return { inputs: columnSchema(model.featureNames, "double"), outputs: [output] };
}

/**
 * Exports `model` to ONNX and writes it, with its signature, as an MLflow model directory.
 *
 * @example
 * await saveTrainedModel("out/model", model, { inputExample: dataset.rows.slice(0, 5).map((row) => [...row]) });
 */
export function saveTrainedModel(
  dir: string,
  model: TrainedModel,
  options: SaveTrainedModelOptions = {},
): Promise<MLModel> {
  return writeModelDir(dir, {
    onnx: exportToOnnx(model),
    signature: trainedModelSignature(model),
    ...(options.inputExample
      ? { inputExample: { columns: model.featureNames, data: options.inputExample.map((row) => [...row]) } }
      : {}),
    ...(options.runId !== undefined ? { runId: options.runId } : {}),
    ...(options.artifactPath !== undefined ? { artifactPath: options.artifactPath } : {}),
    ...(options.versions ? { versions: options.versions } : {}),
  });
}
