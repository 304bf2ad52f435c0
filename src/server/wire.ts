/**
 * @module server/wire
 * Entities in MLflow's proto-JSON shape: fields in proto order, unset and empty repeated fields
 * left out (as protobuf's JSON printer does), NaN and ±Infinity as the strings "NaN", "Infinity".
 */
import type { DatasetInput, Experiment, Metric, Run, RunInfo, RunMetric, Tag } from "../tracking/entities.js";

export type Json = Record<string, unknown>;

/** Answers marked as never changing again, with their JSON as UTF-8 bytes once it has been made. */
const frozenAnswers = new WeakMap<object, Buffer | null>();

/**
 * Marks `answer` as never to be changed again, so the server serializes it once however often it is
 * sent (a cached search page polled by many clients). Hooks that adjust an answer copy it first.
 */
export function frozenAnswer<T extends object>(answer: T): T {
  if (!frozenAnswers.has(answer)) frozenAnswers.set(answer, null);
  return answer;
}

/** Answers whose lists hold items marked by {@link frozenAnswer}: serialized by joining the items' bytes. */
const answersOfFrozenItems = new WeakSet<object>();

/**
 * Marks `answer` as made of frozen items (a search page of runs other pages share): its own JSON
 * is made afresh each time, but each item's bytes are reused, so a new page of known runs costs
 * a copy of bytes rather than serializing and encoding every run again.
 */
export function answerOfFrozenItems<T extends object>(answer: T): T {
  answersOfFrozenItems.add(answer);
  return answer;
}

/**
 * The reply serializer: JSON text, or for an answer marked by {@link frozenAnswer} its UTF-8 bytes,
 * made once however often it is sent.
 */
export function serializeAnswer(payload: unknown): string | Buffer {
  if (payload === null || typeof payload !== "object") return JSON.stringify(payload);
  const known = frozenAnswers.get(payload);
  if (known) return known;
  const made = answersOfFrozenItems.has(payload)
    ? joinedBytes(payload as Record<string, unknown>)
    : JSON.stringify(payload);
  if (known === undefined) return made;
  const bytes = typeof made === "string" ? Buffer.from(made) : made;
  frozenAnswers.set(payload, bytes);
  return bytes;
}

function itemBytes(item: unknown): Buffer {
  if (item !== null && typeof item === "object" && frozenAnswers.has(item)) return serializeAnswer(item) as Buffer;
  // As JSON.stringify writes an array element that has no JSON form.
  return Buffer.from(JSON.stringify(item) ?? "null");
}

/** Joining bytes: V8 joins and encodes long strings several times slower than Buffer.concat copies. */
function joinedBytes(answer: Record<string, unknown>): Buffer {
  const parts: Buffer[] = [];
  let separator = "{";
  for (const [key, value] of Object.entries(answer)) {
    const json = Array.isArray(value) ? "" : (JSON.stringify(value) as string | undefined);
    if (json === undefined) continue;
    const name = `${separator}${JSON.stringify(key)}:`;
    separator = ",";
    if (!Array.isArray(value)) {
      parts.push(Buffer.from(`${name}${json}`));
      continue;
    }
    parts.push(Buffer.from(`${name}[`));
    value.forEach((item: unknown, index) => {
      if (index > 0) parts.push(COMMA);
      parts.push(itemBytes(item));
    });
    parts.push(CLOSING_BRACKET);
  }
  parts.push(separator === "{" ? EMPTY_OBJECT : CLOSING_BRACE);
  return Buffer.concat(parts);
}

const COMMA = Buffer.from(",");
const CLOSING_BRACKET = Buffer.from("]");
const CLOSING_BRACE = Buffer.from("}");
const EMPTY_OBJECT = Buffer.from("{}");

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
