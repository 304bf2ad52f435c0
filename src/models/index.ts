/**
 * @module models
 * Models in MLflow's format: the `MLmodel` file and its signatures, model directories holding an
 * ONNX model, ONNX inference (onnxruntime-node, loaded on first use), ONNX export of the built-in
 * models, and logging models to and loading them from a tracking server.
 */
export type { LoadedModelFromUri, LoadModelFromUriOptions, LoggedModelInfo, LogModelOptions } from "./log.js";
export { loadModelFromUri, logModel } from "./log.js";
export type { MLModel, OnnxFlavorConfig, PyfuncFlavorConfig } from "./mlmodel.js";
export {
  formatMLModel,
  formatUtcTimeCreated,
  getOnnxFlavor,
  MLMODEL_FILE,
  mlmodelToDict,
  newModelUuid,
  parseMLModel,
  readMLModel,
  writeMLModel,
} from "./mlmodel.js";
export type { EnvironmentVersions, InputExample, LoadedModelDir, WriteModelDirOptions } from "./model-dir.js";
export { loadModelDir, openOnnxModel, sessionOptionsFromFlavor, writeModelDir } from "./model-dir.js";
export type { ExportOptions } from "./onnx/export.js";
export { exportToOnnx, float32AtMost, INPUT_NAME as ONNX_INPUT_NAME } from "./onnx/export.js";
export type { Cell, FeedData, OnnxValueInfo, PredictBatch, TabularBatch } from "./onnx/feeds.js";
export { toTabular } from "./onnx/feeds.js";
export type { OnnxModelOptions, PredictionResult } from "./onnx/runtime.js";
export { loadOnnxRuntime, OnnxModel } from "./onnx/runtime.js";
export type { SaveTrainedModelOptions } from "./save-trained.js";
export { saveTrainedModel, trainedModelSignature } from "./save-trained.js";
export type { ColumnSpec, ColumnType, ModelSignature, ParamSpec, Schema, TensorSpec } from "./signature.js";
export {
  COLUMN_TYPES,
  columnSchema,
  formatSchema,
  formatSignature,
  parseSchema,
  parseSignature,
  schemaNames,
} from "./signature.js";
export type { SignatureProblem } from "./signature-check.js";
export { checkBatch, enforceSchema, schemaError } from "./signature-check.js";
