/**
 * @module server/wire
 * Entities in MLflow's proto-JSON shape: fields in proto order, unset and empty repeated fields
 * left out (as protobuf's JSON printer does), NaN and ±Infinity as the strings "NaN", "Infinity".
 */
import type { DatasetInput, Experiment, Metric, Run, RunInfo, RunMetric, Tag } from "../tracking/entities.js";

type Json = Record<string, unknown>;

/** Answers marked as never changing again, with their JSON text once it has been computed. */
const frozenAnswers = new WeakMap<object, string | null>();

/**
 * Marks `answer` as never to be changed again, so the server serializes it once however often it is
 * sent (a cached search page polled by many clients). Hooks that adjust an answer copy it first.
 */
export function frozenAnswer<T extends object>(answer: T): T {
  if (!frozenAnswers.has(answer)) frozenAnswers.set(answer, null);
  return answer;
}

/** The reply serializer: JSON text, computed once per answer marked by {@link frozenAnswer}. */
export function serializeAnswer(payload: unknown): string {
  if (payload === null || typeof payload !== "object") return JSON.stringify(payload);
  const known = frozenAnswers.get(payload);
  if (known === undefined) return JSON.stringify(payload);
  if (known !== null) return known;
  const text = JSON.stringify(payload);
  frozenAnswers.set(payload, text);
  return text;
}

export function wireDouble(value: number): number | string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Number.POSITIVE_INFINITY) return "Infinity";
  if (value === Number.NEGATIVE_INFINITY) return "-Infinity";
  return value;
}

/** Sets `key` only when the list has items. */
function withList(target: Json, key: string, list: readonly unknown[]): Json {
  if (list.length > 0) target[key] = list;
  return target;
}

export function wireTags(tags: readonly Tag[]): Json[] {
  return tags.map((tag) => ({ key: tag.key, value: tag.value }));
}

export function wireExperiment(experiment: Experiment): Json {
  return withList(
    {
      experiment_id: experiment.experiment_id,
      name: experiment.name,
      artifact_location: experiment.artifact_location,
      lifecycle_stage: experiment.lifecycle_stage,
      last_update_time: experiment.last_update_time,
      creation_time: experiment.creation_time,
    },
    "tags",
    wireTags(experiment.tags),
  );
}

export function wireRunInfo(info: RunInfo): Json {
  const result: Json = {
    run_uuid: info.run_id,
    experiment_id: info.experiment_id,
    run_name: info.run_name,
    user_id: info.user_id,
    status: info.status,
    start_time: info.start_time,
  };
  if (info.end_time !== null) result.end_time = info.end_time;
  result.artifact_uri = info.artifact_uri;
  result.lifecycle_stage = info.lifecycle_stage;
  result.run_id = info.run_id;
  return result;
}

export function wireMetric(metric: Metric): Json {
  return { key: metric.key, value: wireDouble(metric.value), timestamp: metric.timestamp, step: metric.step };
}

export function wireRunMetric(metric: RunMetric): Json {
  return { ...wireMetric(metric), run_id: metric.run_id };
}

function wireDatasetInput(input: DatasetInput): Json {
  return withList({ dataset: { ...input.dataset } }, "tags", wireTags(input.tags));
}

export function wireRun(run: Run): Json {
  const data: Json = {};
  withList(data, "metrics", run.data.metrics.map(wireMetric));
  withList(
    data,
    "params",
    run.data.params.map((param) => ({ key: param.key, value: param.value })),
  );
  withList(data, "tags", wireTags(run.data.tags));
  return {
    info: wireRunInfo(run.info),
    data,
    inputs: withList({}, "dataset_inputs", run.inputs.dataset_inputs.map(wireDatasetInput)),
  };
}

/** A list response: the list and the token only when present. */
export function wirePage(key: string, items: unknown[], nextPageToken?: string): Json {
  const result = withList({}, key, items);
  if (nextPageToken) result.next_page_token = nextPageToken;
  return result;
}
