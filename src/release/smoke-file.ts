/**
 * @module release/smoke-file
 * The smoke-test file of a release: a `requests:` list, each request named, sent over one protocol
 * (MLflow's `/invocations` scoring body, or a KServe V2 `infer` body) and checked against what it
 * should answer — exact predictions or outputs, numbers within a tolerance, a status code, or both.
 *
 * @example
 * requests:
 *   - name: setosa
 *     invocations:
 *       dataframe_split: {columns: [sepal_length_cm, sepal_width_cm, petal_length_cm, petal_width_cm], data: [[5.1, 3.5, 1.4, 0.2]]}
 *     expect: {predictions: [setosa]}
 *   - name: v2-probabilities
 *     v2: {inputs: [{name: input, datatype: FP32, shape: [1, 4], data: [6.7, 3.0, 5.2, 2.3]}]}
 *     expect: {outputs: {label: [2]}, tolerance: 0.001}
 *   - name: rejects-empty-body
 *     invocations: {inputs: []}
 *     expect: {status: 400}
 */
import { readFile } from "node:fs/promises";
import { parse as parseYaml } from "yaml";
import { invalidParameter } from "../core/errors.js";

export type SmokeProtocol = "invocations" | "v2";

/** What a smoke request must answer. */
export interface SmokeExpectation {
  /** HTTP status (default 200). */
  readonly status: number;
  /** `/invocations`: the `predictions` list, compared element by element. */
  readonly predictions?: unknown;
  /** V2: output name → its data (flat or nested, compared flat). */
  readonly outputs?: Readonly<Record<string, unknown>>;
  /** Largest absolute difference accepted between an expected and a returned number (default 0). */
  readonly tolerance: number;
}

export interface SmokeRequest {
  readonly name: string;
  readonly protocol: SmokeProtocol;
  /** The JSON body sent as is. */
  readonly body: Readonly<Record<string, unknown>>;
  readonly expect: SmokeExpectation;
}

export interface SmokeFile {
  /** Where it was read from, for messages. */
  readonly source: string;
  readonly requests: readonly SmokeRequest[];
}

const SCORING_FIELDS = ["dataframe_split", "dataframe_records", "instances", "inputs"] as const;
const REQUEST_KEYS = new Set(["name", "invocations", "v2", "expect"]);
const EXPECT_KEYS = new Set(["status", "predictions", "outputs", "tolerance"]);
const EXAMPLE =
  "e.g. {name: setosa, invocations: {dataframe_split: {columns: [...], data: [[...]]}}, expect: {predictions: [setosa]}}";

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function fail(source: string, where: string, problem: string): never {
  throw invalidParameter(`${source}: ${where} ${problem}`);
}

function checkInvocationBody(body: Record<string, unknown>, source: string, at: string): void {
  const present = SCORING_FIELDS.filter((field) => field in body);
  if (present.length !== 1) {
    fail(
      source,
      `${at}.invocations`,
      `must hold exactly one of ${SCORING_FIELDS.join(", ")} (MLflow's scoring body); it has ${present.length === 0 ? `[${Object.keys(body).join(", ")}]` : present.join(" and ")}.`,
    );
  }
  const extra = Object.keys(body).filter((key) => key !== present[0] && key !== "params");
  if (extra.length > 0) fail(source, `${at}.invocations`, `has unknown field(s) ${extra.join(", ")}; remove them.`);
}

function checkV2Body(body: Record<string, unknown>, source: string, at: string): void {
  const inputs = body.inputs;
  if (!Array.isArray(inputs) || inputs.length === 0) {
    fail(
      source,
      `${at}.v2`,
      "must hold 'inputs', a non-empty list of tensors {name, datatype, shape, data} (a KServe V2 infer body).",
    );
  }
  inputs.forEach((tensor, index) => {
    if (
      !isRecord(tensor) ||
      typeof tensor.name !== "string" ||
      typeof tensor.datatype !== "string" ||
      !Array.isArray(tensor.shape) ||
      !Array.isArray(tensor.data)
    ) {
      fail(
        source,
        `${at}.v2.inputs[${index}]`,
        "must be a tensor {name, datatype, shape, data}, e.g. {name: input, datatype: FP32, shape: [1, 4], data: [5.1, 3.5, 1.4, 0.2]}.",
      );
    }
  });
}

function parseExpect(value: unknown, protocol: SmokeProtocol, source: string, at: string): SmokeExpectation {
  if (!isRecord(value)) {
    fail(source, `${at}.expect`, "is missing: give predictions (or outputs for v2), a status, or both.");
  }
  const unknown = Object.keys(value).filter((key) => !EXPECT_KEYS.has(key));
  if (unknown.length > 0) {
    fail(
      source,
      `${at}.expect`,
      `has unknown key(s) ${unknown.join(", ")}; the keys are status, predictions, outputs and tolerance.`,
    );
  }
  if (protocol === "v2" && value.predictions !== undefined) {
    fail(source, `${at}.expect.predictions`, "is for invocations requests; a v2 request checks outputs: {name: data}.");
  }
  if (protocol === "invocations" && value.outputs !== undefined) {
    fail(source, `${at}.expect.outputs`, "is for v2 requests; an invocations request checks predictions: [...].");
  }
  if (value.outputs !== undefined && (!isRecord(value.outputs) || Object.keys(value.outputs).length === 0)) {
    fail(source, `${at}.expect.outputs`, "must map output names to their data, e.g. {label: [0, 2]}.");
  }
  if (value.predictions !== undefined && value.predictions === null) {
    fail(source, `${at}.expect.predictions`, "is empty: list the predictions the model must return, e.g. [setosa].");
  }
  const checksBody = value.predictions !== undefined || value.outputs !== undefined;
  if (!checksBody && value.status === undefined) {
    fail(source, `${at}.expect`, "checks nothing: give predictions (or outputs for v2), a status, or both.");
  }
  const status = value.status ?? 200;
  if (typeof status !== "number" || !Number.isInteger(status) || status < 100 || status > 599) {
    fail(
      source,
      `${at}.expect.status`,
      `must be an HTTP status code such as 200 or 400; got ${JSON.stringify(status)}.`,
    );
  }
  if (checksBody && (status < 200 || status > 299)) {
    fail(
      source,
      `${at}.expect`,
      `expects status ${status} and also predictions; an error answer has none. Keep only one of them.`,
    );
  }
  const tolerance = value.tolerance ?? 0;
  if (typeof tolerance !== "number" || !Number.isFinite(tolerance) || tolerance < 0) {
    fail(source, `${at}.expect.tolerance`, `must be a number ≥ 0, e.g. 0.001; got ${JSON.stringify(tolerance)}.`);
  }
  if (value.tolerance !== undefined && !checksBody) {
    fail(source, `${at}.expect.tolerance`, "applies to predictions or outputs; add them or drop the tolerance.");
  }
  return {
    status,
    tolerance,
    ...(value.predictions !== undefined ? { predictions: value.predictions } : {}),
    ...(value.outputs !== undefined ? { outputs: value.outputs as Record<string, unknown> } : {}),
  };
}

function parseRequest(value: unknown, index: number, source: string): SmokeRequest {
  const where = `requests[${index}]`;
  if (!isRecord(value)) fail(source, where, `must be a mapping with name, invocations or v2, and expect; ${EXAMPLE}.`);
  const name = value.name;
  if (typeof name !== "string" || name.trim() === "") {
    fail(source, `${where}.name`, `is missing: give every request a name, ${EXAMPLE}.`);
  }
  const at = `${where} (${name})`;
  const unknown = Object.keys(value).filter((key) => !REQUEST_KEYS.has(key));
  if (unknown.length > 0) {
    fail(source, at, `has unknown key(s) ${unknown.join(", ")}; a request has name, invocations or v2, and expect.`);
  }
  const protocols = (["invocations", "v2"] as const).filter((key) => value[key] !== undefined);
  if (protocols.length !== 1) {
    fail(
      source,
      at,
      `must have exactly one of 'invocations' (an MLflow /invocations body) or 'v2' (a KServe V2 infer body); it has ${protocols.length === 0 ? "neither" : "both"}.`,
    );
  }
  const protocol = protocols[0] as SmokeProtocol;
  const body = value[protocol];
  if (!isRecord(body)) fail(source, `${at}.${protocol}`, "must be a mapping: the JSON body to send.");
  if (protocol === "invocations") checkInvocationBody(body, source, at);
  else checkV2Body(body, source, at);
  return { name: name.trim(), protocol, body, expect: parseExpect(value.expect, protocol, source, at) };
}

/**
 * Parses a smoke file's text. Every problem names the file, the request (index and name) and the fix.
 *
 * @throws LatheError INVALID_PARAMETER_VALUE for anything that is not a valid smoke file
 */
export function parseSmokeFile(text: string, source = "the smoke file"): SmokeFile {
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    throw invalidParameter(`${source} is not valid YAML: ${(error as Error).message.split("\n")[0]}`);
  }
  if (!isRecord(document) || !Array.isArray(document.requests) || document.requests.length === 0) {
    throw invalidParameter(`${source} must hold a non-empty 'requests:' list; each entry ${EXAMPLE}.`);
  }
  const extra = Object.keys(document).filter((key) => key !== "requests");
  if (extra.length > 0) {
    throw invalidParameter(`${source} has unknown top-level key(s) ${extra.join(", ")}; only 'requests:' is read.`);
  }
  const requests = document.requests.map((request, index) => parseRequest(request, index, source));
  const seen = new Set<string>();
  for (const request of requests) {
    if (seen.has(request.name)) {
      throw invalidParameter(`${source}: two requests are named '${request.name}'; give each its own name.`);
    }
    seen.add(request.name);
  }
  return { source, requests };
}

/** Reads and parses a smoke file; a missing file is named with the fix. */
export async function readSmokeFile(path: string): Promise<SmokeFile> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    throw invalidParameter(`Smoke file '${path}' cannot be read: pass --smoke with the path of a YAML file.`);
  }
  return parseSmokeFile(text, path);
}
