/**
 * @module client/decode
 * Server answers turned into typed entities at the SDK's edge. MLflow's proto-JSON leaves out unset
 * fields and empty lists, may send int64 as strings and doubles as "NaN"/"Infinity" (reference/mlflow.md
 * §0.5–0.6), so each decoder fills the defaults the entity types promise and decodes doubles back to numbers.
 */
import type { ArtifactFileInfo } from "../artifacts/index.js";
import { LatheError } from "../core/errors.js";
import type { ModelVersion, RegisteredModel, RegistryEvent } from "../registry/entities.js";
import type {
  DatasetInput,
  Experiment,
  LifecycleStage,
  Metric,
  Page,
  Run,
  RunInfo,
  RunMetric,
  RunStatus,
  Tag,
} from "../tracking/entities.js";

export type Json = Record<string, unknown>;

function malformed(what: string, value: unknown): LatheError {
  const shown = JSON.stringify(value)?.slice(0, 120) ?? String(value);
  return new LatheError("INTERNAL_ERROR", `The server sent a malformed ${what}: ${shown}`);
}

export function asObject(value: unknown, what: string): Json {
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw malformed(what, value);
  return value as Json;
}

function text(source: Json, key: string, fallback = ""): string {
  const value = source[key];
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return fallback;
}

function integer(source: Json, key: string, fallback = 0): number {
  const value = source[key];
  if (typeof value === "number") return value;
  if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value))) return Number(value);
  return fallback;
}

/** A proto-JSON double: a number, a numeric string, or "NaN" / "Infinity" / "-Infinity". */
export function decodeDouble(value: unknown): number {
  if (typeof value === "number") return value;
  if (typeof value === "string") {
    if (value === "NaN") return Number.NaN;
    if (value === "Infinity") return Number.POSITIVE_INFINITY;
    if (value === "-Infinity") return Number.NEGATIVE_INFINITY;
    const number = Number(value);
    if (value.trim() !== "" && !Number.isNaN(number)) return number;
  }
  throw malformed("metric value", value);
}

/** Decodes `source[key]` as a list (absent = empty). */
export function decodeList<T>(source: Json, key: string, decode: (item: unknown) => T): T[] {
  const value = source[key];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw malformed(`list '${key}'`, value);
  return value.map(decode);
}

/** A list response (`{<key>: [...], next_page_token?}`) as a Page. */
export function decodePage<T>(source: Json, key: string, decode: (item: unknown) => T): Page<T> {
  const token = source.next_page_token;
  const page: Page<T> = { items: decodeList(source, key, decode) };
  if (typeof token === "string" && token !== "") page.nextPageToken = token;
  return page;
}

export function decodeTag(value: unknown): Tag {
  const tag = asObject(value, "tag");
  return { key: text(tag, "key"), value: text(tag, "value") };
}

export function decodeExperiment(value: unknown): Experiment {
  const source = asObject(value, "experiment");
  return {
    experiment_id: text(source, "experiment_id"),
    name: text(source, "name"),
    artifact_location: text(source, "artifact_location"),
    lifecycle_stage: text(source, "lifecycle_stage", "active") as LifecycleStage,
    last_update_time: integer(source, "last_update_time"),
    creation_time: integer(source, "creation_time"),
    tags: decodeList(source, "tags", decodeTag),
  };
}

export function decodeMetric(value: unknown): Metric {
  const source = asObject(value, "metric");
  return {
    key: text(source, "key"),
    value: decodeDouble(source.value),
    timestamp: integer(source, "timestamp"),
    step: integer(source, "step"),
  };
}

export function decodeRunMetric(value: unknown): RunMetric {
  return { ...decodeMetric(value), run_id: text(asObject(value, "metric"), "run_id") };
}

export function decodeRunInfo(value: unknown): RunInfo {
  const source = asObject(value, "run info");
  const runId = text(source, "run_id") || text(source, "run_uuid");
  return {
    run_id: runId,
    run_uuid: runId,
    run_name: text(source, "run_name"),
    experiment_id: text(source, "experiment_id"),
    user_id: text(source, "user_id"),
    status: text(source, "status", "RUNNING") as RunStatus,
    start_time: integer(source, "start_time"),
    end_time: source.end_time === undefined || source.end_time === null ? null : integer(source, "end_time"),
    artifact_uri: text(source, "artifact_uri"),
    lifecycle_stage: text(source, "lifecycle_stage", "active") as LifecycleStage,
  };
}

function decodeDatasetInput(value: unknown): DatasetInput {
  const source = asObject(value, "dataset input");
  const dataset = asObject(source.dataset, "dataset");
  const result: DatasetInput = {
    tags: decodeList(source, "tags", decodeTag),
    dataset: {
      name: text(dataset, "name"),
      digest: text(dataset, "digest"),
      source_type: text(dataset, "source_type"),
      source: text(dataset, "source"),
    },
  };
  if (typeof dataset.schema === "string") result.dataset.schema = dataset.schema;
  if (typeof dataset.profile === "string") result.dataset.profile = dataset.profile;
  return result;
}

export function decodeRun(value: unknown): Run {
  const source = asObject(value, "run");
  const data = source.data === undefined ? {} : asObject(source.data, "run data");
  const inputs = source.inputs === undefined ? {} : asObject(source.inputs, "run inputs");
  return {
    info: decodeRunInfo(source.info),
    data: {
      metrics: decodeList(data, "metrics", decodeMetric),
      params: decodeList(data, "params", decodeTag),
      tags: decodeList(data, "tags", decodeTag),
    },
    inputs: { dataset_inputs: decodeList(inputs, "dataset_inputs", decodeDatasetInput) },
  };
}

export function decodeFileInfo(value: unknown): ArtifactFileInfo {
  const source = asObject(value, "file info");
  const info: ArtifactFileInfo = { path: text(source, "path"), is_dir: source.is_dir === true };
  if (source.file_size !== undefined) info.file_size = integer(source, "file_size");
  return info;
}

export function decodeModelVersion(value: unknown): ModelVersion {
  const source = asObject(value, "model version");
  // The version is a proto string; a server sending a number still means the same version.
  return { ...(source as unknown as ModelVersion), name: text(source, "name"), version: text(source, "version") };
}

export function decodeRegisteredModel(value: unknown): RegisteredModel {
  const source = asObject(value, "registered model");
  const model = { ...(source as unknown as RegisteredModel), name: text(source, "name") };
  if (Array.isArray(source.latest_versions)) model.latest_versions = source.latest_versions.map(decodeModelVersion);
  return model;
}

export function decodeRegistryEvent(value: unknown): RegistryEvent {
  const source = asObject(value, "registry event");
  return { ...(source as unknown as RegistryEvent), version: text(source, "version") };
}
