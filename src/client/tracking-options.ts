/**
 * @module client/tracking-options
 * The option bags and inputs of the tracking methods, MLflow's batch limits, and the tag-list
 * conversion they share. Field names are camelCase here and become MLflow's snake_case on the wire.
 */
import type { Param, RunStatus, Tag, ViewType } from "../tracking/entities.js";

/** Tags as a plain record or as MLflow's `{key, value}` list. */
export type TagsInput = Readonly<Record<string, string>> | readonly Tag[];

/** A metric point to log; `timestamp` defaults to now and `step` to 0. */
export interface MetricInput {
  key: string;
  value: number;
  timestamp?: number;
  step?: number;
}

export interface CreateExperimentOptions {
  artifactLocation?: string;
  tags?: TagsInput;
}

export interface SearchExperimentsOptions {
  filter?: string;
  orderBy?: readonly string[];
  maxResults?: number;
  pageToken?: string;
  viewType?: ViewType;
}

export interface CreateRunOptions {
  /** Default "0", the Default experiment. */
  experimentId?: string;
  runName?: string;
  /** Milliseconds since the epoch; default now. */
  startTime?: number;
  tags?: TagsInput;
  userId?: string;
}

export interface UpdateRunOptions {
  status?: RunStatus;
  endTime?: number;
  runName?: string;
}

export interface SearchRunsOptions {
  experimentIds: readonly string[];
  filter?: string;
  orderBy?: readonly string[];
  maxResults?: number;
  pageToken?: string;
  viewType?: ViewType;
}

export interface LogMetricOptions {
  step?: number;
  timestamp?: number;
}

export interface LogBatchOptions {
  metrics?: readonly MetricInput[];
  params?: readonly Param[];
  tags?: TagsInput;
}

export interface MetricHistoryOptions {
  /** Points per request while following page tokens; default: whatever the server sends. */
  pageSize?: number;
}

export interface MetricHistoryBulkIntervalOptions {
  runIds: readonly string[];
  metricKey: string;
  startStep?: number;
  endStep?: number;
  maxResults?: number;
}

/** MLflow's log-batch limits (reference/mlflow.md §3). */
export const BATCH_LIMITS = { metrics: 1000, params: 100, tags: 100, total: 1000 } as const;

export function toTags(tags: TagsInput | undefined): Tag[] {
  if (tags === undefined) return [];
  if (Array.isArray(tags)) return tags.map((tag: Tag) => ({ key: tag.key, value: tag.value }));
  return Object.entries(tags as Readonly<Record<string, string>>).map(([key, value]) => ({ key, value }));
}
