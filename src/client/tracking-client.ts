/**
 * @module client/tracking-client
 * Typed calls for MLflow's tracking endpoints (reference/mlflow.md §2.1–2.4): experiments, runs, the
 * logging calls, metric history and artifact listing. Each method is one request (or one per page or
 * per batch-sized chunk) and returns the tracking entities with defaults filled in.
 */
import type { ArtifactFileInfo } from "../artifacts/index.js";
import { LatheError } from "../core/errors.js";
import type { DatasetInput, Experiment, Metric, Page, Run, RunInfo, RunMetric } from "../tracking/entities.js";
import {
  decodeExperiment,
  decodeFileInfo,
  decodeList,
  decodeMetric,
  decodePage,
  decodeRun,
  decodeRunInfo,
  decodeRunMetric,
} from "./decode.js";
import { RestClient, type RestClientOptions } from "./rest.js";
import {
  BATCH_LIMITS,
  type CreateExperimentOptions,
  type CreateRunOptions,
  type LogBatchOptions,
  type LogMetricOptions,
  type MetricHistoryBulkIntervalOptions,
  type MetricHistoryOptions,
  type MetricInput,
  type SearchExperimentsOptions,
  type SearchRunsOptions,
  toTags,
  type UpdateRunOptions,
} from "./tracking-options.js";

function wireMetric(metric: MetricInput, now: number): Metric {
  return { key: metric.key, value: metric.value, timestamp: metric.timestamp ?? now, step: metric.step ?? 0 };
}

/** Follows page tokens until the last page; a token seen twice means a broken server, not an endless list. */
export async function collectPages<T>(fetchPage: (pageToken: string | undefined) => Promise<Page<T>>): Promise<T[]> {
  const items: T[] = [];
  const seen = new Set<string>();
  let token: string | undefined;
  do {
    const page = await fetchPage(token);
    items.push(...page.items);
    token = page.nextPageToken;
    if (token !== undefined && seen.has(token)) {
      throw new LatheError("INTERNAL_ERROR", `The server returned page token '${token}' twice; stopping.`);
    }
    if (token !== undefined) seen.add(token);
  } while (token !== undefined);
  return items;
}

/** The tracking half of `LatheClient`; use `LatheClient`, which adds the registry, artifacts and runs. */
export class TrackingClient {
  /** The transport; public so callers can reach endpoints the SDK has no method for yet. */
  readonly rest: RestClient;

  constructor(options: RestClientOptions = {}) {
    this.rest = new RestClient(options);
  }

  /** The tracking server's base URL. */
  get trackingUri(): string {
    return this.rest.baseUrl;
  }

  /** Creates an experiment and returns its id; RESOURCE_ALREADY_EXISTS if the name is taken. */
  async createExperiment(name: string, options: CreateExperimentOptions = {}): Promise<string> {
    const body = await this.rest.call(
      "POST",
      "experiments/create",
      { name, artifact_location: options.artifactLocation, tags: toTags(options.tags) },
      { idempotent: false },
    );
    return String(body.experiment_id);
  }

  async getExperiment(experimentId: string): Promise<Experiment> {
    const body = await this.rest.call("GET", "experiments/get", { experiment_id: experimentId });
    return decodeExperiment(body.experiment);
  }

  /** The experiment of that name; RESOURCE_DOES_NOT_EXIST when there is none. */
  async getExperimentByName(name: string): Promise<Experiment> {
    const body = await this.rest.call("GET", "experiments/get-by-name", { experiment_name: name });
    return decodeExperiment(body.experiment);
  }

  async searchExperiments(options: SearchExperimentsOptions = {}): Promise<Page<Experiment>> {
    const body = await this.rest.call(
      "POST",
      "experiments/search",
      {
        filter: options.filter,
        order_by: options.orderBy,
        max_results: options.maxResults,
        page_token: options.pageToken,
        view_type: options.viewType,
      },
      { idempotent: true },
    );
    return decodePage(body, "experiments", decodeExperiment);
  }

  /** Every experiment matching, following page tokens. */
  searchAllExperiments(options: Omit<SearchExperimentsOptions, "pageToken"> = {}): Promise<Experiment[]> {
    return collectPages((pageToken) => this.searchExperiments({ ...options, pageToken }));
  }

  /** Renames an experiment (`experiments/update`). */
  async renameExperiment(experimentId: string, newName: string): Promise<void> {
    await this.rest.call(
      "POST",
      "experiments/update",
      { experiment_id: experimentId, new_name: newName },
      { idempotent: false },
    );
  }

  async deleteExperiment(experimentId: string): Promise<void> {
    await this.rest.call("POST", "experiments/delete", { experiment_id: experimentId }, { idempotent: false });
  }

  async restoreExperiment(experimentId: string): Promise<void> {
    await this.rest.call("POST", "experiments/restore", { experiment_id: experimentId }, { idempotent: false });
  }

  async setExperimentTag(experimentId: string, key: string, value: string): Promise<void> {
    await this.rest.call(
      "POST",
      "experiments/set-experiment-tag",
      { experiment_id: experimentId, key, value },
      { idempotent: true },
    );
  }

  async deleteExperimentTag(experimentId: string, key: string): Promise<void> {
    await this.rest.call(
      "POST",
      "experiments/delete-experiment-tag",
      { experiment_id: experimentId, key },
      { idempotent: false },
    );
  }

  /** Creates a run (status RUNNING). Prefer `startRun`, which also records the environment and buffers metrics. */
  async createRun(options: CreateRunOptions = {}): Promise<Run> {
    const body = await this.rest.call(
      "POST",
      "runs/create",
      {
        experiment_id: options.experimentId ?? "0",
        user_id: options.userId,
        run_name: options.runName,
        start_time: options.startTime ?? Date.now(),
        tags: toTags(options.tags),
      },
      { idempotent: false },
    );
    return decodeRun(body.run);
  }

  async getRun(runId: string): Promise<Run> {
    return decodeRun((await this.rest.call("GET", "runs/get", { run_id: runId })).run);
  }

  async updateRun(runId: string, options: UpdateRunOptions): Promise<RunInfo> {
    const body = await this.rest.call(
      "POST",
      "runs/update",
      { run_id: runId, status: options.status, end_time: options.endTime, run_name: options.runName },
      { idempotent: true },
    );
    return decodeRunInfo(body.run_info);
  }

  async deleteRun(runId: string): Promise<void> {
    await this.rest.call("POST", "runs/delete", { run_id: runId }, { idempotent: false });
  }

  async restoreRun(runId: string): Promise<void> {
    await this.rest.call("POST", "runs/restore", { run_id: runId }, { idempotent: false });
  }

  async searchRuns(options: SearchRunsOptions): Promise<Page<Run>> {
    const body = await this.rest.call(
      "POST",
      "runs/search",
      {
        experiment_ids: options.experimentIds,
        filter: options.filter,
        run_view_type: options.viewType,
        max_results: options.maxResults,
        order_by: options.orderBy,
        page_token: options.pageToken,
      },
      { idempotent: true },
    );
    return decodePage(body, "runs", decodeRun);
  }

  /** Every run matching, following page tokens. */
  searchAllRuns(options: Omit<SearchRunsOptions, "pageToken">): Promise<Run[]> {
    return collectPages((pageToken) => this.searchRuns({ ...options, pageToken }));
  }

  /** Logs one point now. Safe to retry: the server ignores an exact duplicate point. */
  async logMetric(runId: string, key: string, value: number, options: LogMetricOptions = {}): Promise<void> {
    await this.rest.call(
      "POST",
      "runs/log-metric",
      { run_id: runId, key, value, timestamp: options.timestamp ?? Date.now(), step: options.step ?? 0 },
      { idempotent: true },
    );
  }

  async logParam(runId: string, key: string, value: string | number | boolean): Promise<void> {
    await this.rest.call(
      "POST",
      "runs/log-parameter",
      { run_id: runId, key, value: String(value) },
      { idempotent: true },
    );
  }

  /**
   * Logs metrics, params and tags, split into as many log-batch requests as MLflow's limits need
   * (1000 metrics, 100 params, 100 tags, 1000 entries per request); order within each list is kept.
   */
  async logBatch(runId: string, batch: LogBatchOptions): Promise<void> {
    const now = Date.now();
    const metrics = (batch.metrics ?? []).map((metric) => wireMetric(metric, now));
    const params = (batch.params ?? []).map((param) => ({ key: param.key, value: String(param.value) }));
    const tags = toTags(batch.tags);
    let [m, p, t] = [0, 0, 0];
    while (m < metrics.length || p < params.length || t < tags.length) {
      const paramChunk = params.slice(p, p + BATCH_LIMITS.params);
      const tagChunk = tags.slice(t, t + BATCH_LIMITS.tags);
      const room = Math.min(BATCH_LIMITS.metrics, BATCH_LIMITS.total - paramChunk.length - tagChunk.length);
      const metricChunk = metrics.slice(m, m + room);
      [m, p, t] = [m + metricChunk.length, p + paramChunk.length, t + tagChunk.length];
      await this.rest.call(
        "POST",
        "runs/log-batch",
        { run_id: runId, metrics: metricChunk, params: paramChunk, tags: tagChunk },
        { idempotent: true },
      );
    }
  }

  async setTag(runId: string, key: string, value: string): Promise<void> {
    await this.rest.call("POST", "runs/set-tag", { run_id: runId, key, value }, { idempotent: true });
  }

  async deleteTag(runId: string, key: string): Promise<void> {
    await this.rest.call("POST", "runs/delete-tag", { run_id: runId, key }, { idempotent: false });
  }

  /** Records the datasets a run used (`runs/log-inputs`). */
  async logInputs(runId: string, datasets: readonly DatasetInput[]): Promise<void> {
    await this.rest.call("POST", "runs/log-inputs", { run_id: runId, datasets }, { idempotent: true });
  }

  /**
   * Records a logged model's MLmodel (as a JSON object) in the run's `mlflow.log-model.history` tag. It
   * must hold `artifact_path`, `flavors`, `utc_time_created` and `run_id`. Uploading the files is
   * separate: `ActiveRun.logModel` does both.
   */
  async logModel(runId: string, model: Readonly<Record<string, unknown>>): Promise<void> {
    await this.rest.call(
      "POST",
      "runs/log-model",
      { run_id: runId, model_json: JSON.stringify(model) },
      { idempotent: false },
    );
  }

  /** Every point of one metric of one run, in the server's order (step, then timestamp), following page tokens. */
  getMetricHistory(runId: string, metricKey: string, options: MetricHistoryOptions = {}): Promise<Metric[]> {
    return collectPages(async (pageToken) => {
      const body = await this.rest.call("GET", "metrics/get-history", {
        run_id: runId,
        metric_key: metricKey,
        max_results: options.pageSize,
        page_token: pageToken,
      });
      return decodePage(body, "metrics", decodeMetric);
    });
  }

  /** One metric of up to 100 runs, down-sampled by the server to evenly spaced steps. */
  async getMetricHistoryBulkInterval(options: MetricHistoryBulkIntervalOptions): Promise<RunMetric[]> {
    const body = await this.rest.call("GET", "metrics/get-history-bulk-interval", {
      run_ids: options.runIds,
      metric_key: options.metricKey,
      start_step: options.startStep,
      end_step: options.endStep,
      max_results: options.maxResults,
    });
    return decodeList(body, "metrics", decodeRunMetric);
  }

  /** The direct children of `path` in a run's artifacts (paths relative to the run's artifact root). */
  listArtifacts(runId: string, path = ""): Promise<ArtifactFileInfo[]> {
    return collectPages(async (pageToken) => {
      const body = await this.rest.call("GET", "artifacts/list", {
        run_id: runId,
        path: path || undefined,
        page_token: pageToken,
      });
      return decodePage(body, "files", decodeFileInfo);
    });
  }
}
