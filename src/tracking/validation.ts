/**
 * @module tracking/validation
 * MLflow's limits and key rules (reference/mlflow.md §3), checked before anything is written. Each
 * failure is an INVALID_PARAMETER_VALUE whose message names the field, the limit and the value.
 */
import { invalidParameter } from "../core/errors.js";
import type { Metric, Param, Tag } from "./entities.js";

export const LIMITS = {
  keyLength: 250,
  paramValueLength: 6000,
  runTagValueLength: 8000,
  experimentTagValueLength: 5000,
  experimentNameLength: 500,
  batchMetrics: 1000,
  batchParams: 100,
  batchTags: 100,
  batchTotal: 1000,
  datasetName: 500,
  datasetDigest: 36,
  datasetSource: 65535,
  datasetSchema: 1048575,
  datasetProfile: 16777215,
  inputTagKey: 255,
  inputTagValue: 500,
} as const;

const KEY_PATTERN = /^[/\w.\- :]*$/;
const RUN_ID_PATTERN = /^[a-zA-Z0-9][\w-]{0,255}$/;
const EXPERIMENT_ID_PATTERN = /^[a-zA-Z0-9][\w-]{0,63}$/;

/** POSIX normalisation of a key, the way a file path would resolve. */
function normalizePosix(key: string): string {
  const absolute = key.startsWith("/");
  const parts: string[] = [];
  for (const part of key.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (parts.length > 0 && parts[parts.length - 1] !== "..") parts.pop();
      else if (!absolute) parts.push("..");
      continue;
    }
    parts.push(part);
  }
  const joined = parts.join("/");
  return absolute ? `/${joined}` : joined || ".";
}

/** Metric, param and tag keys: MLflow's charset, length, and "must not resolve to another name" rule. */
export function validateKey(kind: "metric" | "param" | "tag", key: unknown): string {
  if (typeof key !== "string" || key === "") {
    throw invalidParameter(`Missing value for required parameter 'key' of a ${kind}.`);
  }
  if (!KEY_PATTERN.test(key)) {
    throw invalidParameter(
      `Invalid ${kind} name: '${key}'. Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), colons (:) and slashes (/).`,
    );
  }
  // Without a slash, a key can only resolve to something else if it is "." or "..".
  const normalized = key.includes("/") || key === "." || key === ".." ? normalizePosix(key) : key;
  if (normalized !== key || key === "." || key.startsWith("..") || key.startsWith("/")) {
    throw invalidParameter(
      `Invalid ${kind} name: '${key}'. Names may be treated as files in certain cases, and must not resolve to other names when treated as such. This name would resolve to '${normalized}'`,
    );
  }
  if (key.length > LIMITS.keyLength) {
    throw invalidParameter(
      `${capitalize(kind)} key '${key.slice(0, 40)}...' had length ${key.length}, which exceeded length limit of ${LIMITS.keyLength}.`,
    );
  }
  return key;
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

export function validateLength(what: string, value: string, limit: number): string {
  if (value.length > limit) {
    throw invalidParameter(`${what} had length ${value.length}, which exceeded length limit of ${limit}.`);
  }
  return value;
}

export function validateParam(param: Param): Param {
  validateKey("param", param.key);
  validateLength(
    `Param value '${param.value.slice(0, 40)}...' for key '${param.key}'`,
    param.value,
    LIMITS.paramValueLength,
  );
  return param;
}

export function validateRunTag(tag: Tag): Tag {
  validateKey("tag", tag.key);
  validateLength(`Tag value for key '${tag.key}'`, tag.value, LIMITS.runTagValueLength);
  return tag;
}

export function validateExperimentTag(tag: Tag): Tag {
  validateKey("tag", tag.key);
  validateLength(`Experiment tag value for key '${tag.key}'`, tag.value, LIMITS.experimentTagValueLength);
  return tag;
}

export function validateMetric(metric: Metric): Metric {
  validateKey("metric", metric.key);
  if (typeof metric.value !== "number") {
    throw invalidParameter(
      `Got invalid value ${String(metric.value)} for metric '${metric.key}' (timestamp=${metric.timestamp}). Please specify value as a valid double (64-bit floating point)`,
    );
  }
  if (!Number.isSafeInteger(metric.timestamp) || metric.timestamp < 0) {
    throw invalidParameter(
      `Got invalid timestamp ${metric.timestamp} for metric '${metric.key}' (value=${metric.value}). Timestamp must be a nonnegative long (64-bit integer)`,
    );
  }
  if (!Number.isSafeInteger(metric.step)) {
    throw invalidParameter(
      `Got invalid step ${metric.step} for metric '${metric.key}' (value=${metric.value}). Step must be a valid long (64-bit integer).`,
    );
  }
  return metric;
}

export function validateExperimentName(name: unknown): string {
  if (typeof name !== "string" || name.trim() === "") {
    throw invalidParameter(
      "Invalid experiment name: the name must be a non-empty string. Pass a name such as 'iris-training'.",
    );
  }
  return validateLength(`Experiment name '${name.slice(0, 40)}...'`, name, LIMITS.experimentNameLength);
}

export function validateRunId(runId: string): string {
  if (!RUN_ID_PATTERN.test(runId)) {
    throw invalidParameter(
      `Invalid run ID: '${runId.slice(0, 80)}'. A run ID is letters, digits, '_' and '-' (32 hex characters when Lathe or MLflow made it).`,
    );
  }
  return runId;
}

export function validateExperimentId(experimentId: string): string {
  if (!EXPERIMENT_ID_PATTERN.test(experimentId)) {
    throw invalidParameter(
      `Invalid experiment ID: '${experimentId.slice(0, 80)}'. An experiment ID is letters, digits, '_' and '-'.`,
    );
  }
  return experimentId;
}

/** log-batch caps: ≤1000 metrics, ≤100 params, ≤100 tags, ≤1000 in all; no key twice among params. */
export function validateBatchLimits(metrics: number, params: Param[], tags: number): void {
  const total = metrics + params.length + tags;
  if (
    metrics > LIMITS.batchMetrics ||
    params.length > LIMITS.batchParams ||
    tags > LIMITS.batchTags ||
    total > LIMITS.batchTotal
  ) {
    throw invalidParameter(
      `A batch logging request can contain at most ${LIMITS.batchMetrics} metrics, ${LIMITS.batchParams} params, ${LIMITS.batchTags} tags and ${LIMITS.batchTotal} entities in all. Received ${metrics} metrics, ${params.length} params and ${tags} tags: split it into several requests.`,
    );
  }
  const seen = new Map<string, string>();
  for (const param of params) {
    const previous = seen.get(param.key);
    if (previous !== undefined && previous !== param.value) {
      throw invalidParameter(
        `Duplicate parameter keys have been submitted: '${param.key}' with values '${previous}' and '${param.value}'. Send each param key once.`,
      );
    }
    seen.set(param.key, param.value);
  }
}
