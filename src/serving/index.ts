/**
 * @module serving
 * The model server behind `lathe serve`: MLflow's scoring protocol and the Open Inference Protocol,
 * per-request validation, micro-batching, Prometheus metrics, the prediction log and hot reload.
 */
export type { ServingAppOptions } from "./app.js";
export { buildServingApp } from "./app.js";
export type { BatcherOptions, RunFeed } from "./batcher.js";
export { Batcher } from "./batcher.js";
export { ServingMetrics } from "./metrics.js";
export type { BatchingOptions, ServedModelOptions } from "./model.js";
export { ServedModel } from "./model.js";
export type { Lease } from "./model-holder.js";
export { ModelHolder } from "./model-holder.js";
export type { FetchedModel } from "./model-source.js";
export { fetchModel, isMovingUri, resolveVersion } from "./model-source.js";
export type { PredictionLogOptions, PredictionRecord } from "./prediction-log.js";
export { PredictionLog } from "./prediction-log.js";
export type { ColumnType, InputColumn, TabularInput } from "./schema.js";
export { InputSchema, signatureColumns } from "./schema.js";
export { resolveServeSettings } from "./settings.js";
export type { RunningModelServer, ServeSettings } from "./start.js";
export { DEFAULT_SERVE_SETTINGS, runServe, startModelServer } from "./start.js";
