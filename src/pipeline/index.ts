/**
 * @module pipeline
 * Pipelines in DVC's formats: `dvc.yaml` parsing and templating, the stage graph, `dvc.lock`,
 * stage status, the run-cache and `repro`.
 */
export type { DagFormat } from "./dag.js";
export { renderDag } from "./dag.js";
export type { StageOutput } from "./graph.js";
export { StageGraph, stageAddress, stageDeps, stageOutputs } from "./graph.js";
export { formatLockFile, parseLockFile, readLockFile, serializeEntry, writeLockEntry } from "./lockfile.js";
export { loadPipeline, loadPipelines, parsePipeline, stageLocation } from "./parse.js";
export type { Project } from "./project.js";
export { lockEntryOf, openProject, requirePipelines, resolveTargets } from "./project.js";
export type { ReproEvent, ReproFailure, ReproOptions, ReproResult } from "./repro.js";
export { reproduce } from "./repro.js";
export { canRunCache, findRuns, runCacheKey, runCacheValue, saveRun } from "./run-cache.js";
export type { GitSource } from "./source.js";
export { gitRevisionSource, workspaceSource } from "./source.js";
export type { PathState, PipelineStatus, StageEvaluation, StatusReason } from "./status.js";
export { evaluateStage, paramValue, pipelineStatus, projectStatus } from "./status.js";
export { parseParamsText, readParamsFile } from "./structured-file.js";
export { StageClock, type TrackedStage, type TrackOptions, trackStages } from "./track.js";
export type { LockedOutput } from "./tracked.js";
export { lockedCachedOutputs } from "./tracked.js";
export type {
  FileSource,
  LoadOptions,
  LockEntry,
  LockedParams,
  LockedPath,
  LockFile,
  OutputDef,
  ParamDep,
  Pipeline,
  PlotDef,
  PlotField,
  Stage,
} from "./types.js";
export { lockFileFor, repoPath } from "./types.js";
export { pythonStr, valuesEqual } from "./values.js";
