/**
 * @module lathe
 * The public TypeScript API. Heavier parts live behind subpath exports (`lathe/server`,
 * `lathe/tracking`).
 */

export type {
  ArtifactStore,
  CreateExperimentOptions,
  CreateModelVersionOptions,
  CreateRegisteredModelOptions,
  CreateRunOptions,
  EnvironmentOptions,
  LatheClientOptions,
  LogBatchOptions,
  LoggedModel,
  LogMetricOptions,
  MetricBufferOptions,
  MetricHistoryBulkIntervalOptions,
  MetricHistoryOptions,
  MetricInput,
  ParamValue,
  RegistryHistoryOptions,
  RestClientOptions,
  SearchExperimentsOptions,
  SearchRegistryOptions,
  SearchRunsOptions,
  StartRunOptions,
  TagsInput,
  TransitionStageOptions,
  UpdateRunOptions,
  UploadOptions,
  VersionInput,
} from "./client/index.js";
export {
  ActiveRun,
  collectEnvironmentTags,
  diffEnvironments,
  ENVIRONMENT_TAGS,
  isEnvironmentTag,
  LatheClient,
  RestClient,
} from "./client/index.js";
export * from "./core/index.js";
export type {
  ModelVersion,
  RegisteredModel,
  RegistryEvent,
  RegistryLookup,
  ResolvedModelUri,
} from "./registry/index.js";
export { parseModelUri, resolveModelUri } from "./registry/index.js";
