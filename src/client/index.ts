/**
 * @module client
 * The TypeScript SDK: `LatheClient` for a tracking server's REST API (tracking, registry, artifacts),
 * the run API for training scripts, and environment capture.
 */
export type { ArtifactStore, UploadOptions } from "./artifacts.js";
export type { LatheClientOptions } from "./client.js";
export { LatheClient } from "./client.js";
export type { EnvironmentOptions } from "./environment.js";
export {
  collectEnvironmentTags,
  diffEnvironments,
  ENVIRONMENT_TAGS,
  isEnvironmentTag,
  LOCKFILE_NAMES,
} from "./environment.js";
export type { MetricBufferOptions } from "./metric-buffer.js";
export type {
  CreateModelVersionOptions,
  CreateRegisteredModelOptions,
  RegistryHistoryOptions,
  SearchRegistryOptions,
  TransitionStageOptions,
  VersionInput,
} from "./registry-client.js";
export type { Query, QueryValue, RequestBody, RestClientOptions, SendOptions } from "./rest.js";
export { DEFAULT_TRACKING_URI, errorCodeFromWire, RestClient } from "./rest.js";
export type { LoggedModel, ParamValue, StartRunOptions } from "./run.js";
export { ActiveRun } from "./run.js";
export type {
  CreateExperimentOptions,
  CreateRunOptions,
  LogBatchOptions,
  LogMetricOptions,
  MetricHistoryBulkIntervalOptions,
  MetricHistoryOptions,
  MetricInput,
  SearchExperimentsOptions,
  SearchRunsOptions,
  TagsInput,
  UpdateRunOptions,
} from "./tracking-options.js";
export { BATCH_LIMITS } from "./tracking-options.js";
