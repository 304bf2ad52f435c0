/**
 * @module models/mlmodel
 * The `MLmodel` file at the root of an MLflow model directory (reference/mlflow.md §6): reading it
 * into typed values, and writing it the way MLflow does (`yaml.safe_dump` with sorted keys, block
 * style, sequences not indented under their key, long quoted strings folded past column 80, the
 * creation time quoted so YAML 1.1 readers keep it a string). Unknown keys and other flavors are
 * kept and written back.
 */
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { parseDocument, stringify } from "yaml";
import { invalidParameter, LatheError } from "../core/errors.js";
import { writeFileAtomic } from "../core/fs.js";
import { formatSignature, type ModelSignature, parseSignature } from "./signature.js";

export const MLMODEL_FILE = "MLmodel";

/** The `onnx` flavor's configuration, as `mlflow.onnx` writes it. */
export interface OnnxFlavorConfig {
  readonly onnx_version: string;
  /** The model file, relative to the model directory. */
  readonly data: string;
  readonly providers: readonly string[];
  readonly code: string | null;
  readonly onnx_session_options: Readonly<Record<string, unknown>> | null;
  /** Written by newer MLflow versions only. */
  readonly save_as_external_data?: boolean;
}

/** The `python_function` flavor's configuration. */
export interface PyfuncFlavorConfig {
  readonly loader_module: string;
  readonly python_version?: string;
  readonly data?: string;
  readonly env?: Readonly<{ conda: string; virtualenv: string }> | string;
}

/** An MLmodel file's content. Keys keep MLflow's snake_case names, as in the file and on the wire. */
export interface MLModel {
  readonly artifact_path?: string;
  /** Flavor name → its configuration; `onnx` and `python_function` are the ones Lathe reads. */
  readonly flavors: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly mlflow_version?: string;
  readonly model_size_bytes?: number;
  /** 32 hex digits. */
  readonly model_uuid?: string;
  readonly run_id?: string | null;
  /** "YYYY-MM-DD HH:MM:SS.ffffff", UTC. */
  readonly utc_time_created?: string;
  readonly signature?: ModelSignature;
  readonly saved_input_example_info?: Readonly<Record<string, unknown>>;
  readonly metadata?: Readonly<Record<string, unknown>> | null;
  /** Keys this version of Lathe does not know, written back as read. */
  readonly extra?: Readonly<Record<string, unknown>>;
}

const KNOWN_KEYS = new Set([
  "artifact_path",
  "flavors",
  "mlflow_version",
  "model_size_bytes",
  "model_uuid",
  "run_id",
  "utc_time_created",
  "signature",
  "saved_input_example_info",
  "metadata",
]);

/** MLflow's `utc_time_created` format, "YYYY-MM-DD HH:MM:SS.ffffff". */
export function formatUtcTimeCreated(date: Date = new Date()): string {
  const iso = date.toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}000`;
}

/** A fresh `model_uuid`: a UUID4 as 32 hex digits, as MLflow writes it. */
export function newModelUuid(): string {
  return randomUUID().replaceAll("-", "");
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function malformed(file: string, problem: string): LatheError {
  return invalidParameter(
    `The MLmodel file '${file}' is not a valid MLflow model description: ${problem}. Re-save the model with mlflow.<flavor>.save_model or Lathe's writeModelDir.`,
  );
}

function optionalString(value: unknown, key: string, file: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return value;
  if (typeof value === "number") return String(value);
  throw malformed(file, `'${key}' must be a string`);
}

/**
 * Parses the text of an MLmodel file. `file` is used in error messages only.
 *
 * @throws LatheError INVALID_PARAMETER_VALUE naming the file and what is wrong
 */
export function parseMLModel(text: string, file = MLMODEL_FILE): MLModel {
  const document = parseDocument(text);
  if (document.errors.length > 0) throw malformed(file, `it is not valid YAML (${document.errors[0]?.message})`);
  const raw: unknown = document.toJS();
  if (!isRecord(raw)) throw malformed(file, "it must be a YAML mapping");
  const flavors = raw.flavors;
  if (!isRecord(flavors) || Object.keys(flavors).length === 0) throw malformed(file, "it has no 'flavors' section");
  for (const [name, config] of Object.entries(flavors)) {
    if (!isRecord(config)) throw malformed(file, `flavor '${name}' must be a mapping`);
  }
  let signature: ModelSignature | undefined;
  if (raw.signature !== undefined && raw.signature !== null) {
    try {
      signature = parseSignature(raw.signature);
    } catch (error) {
      throw malformed(file, `its signature is invalid (${error instanceof Error ? error.message : String(error)})`);
    }
  }
  const size = raw.model_size_bytes;
  if (size !== undefined && size !== null && (typeof size !== "number" || !Number.isInteger(size) || size < 0)) {
    throw malformed(file, "'model_size_bytes' must be a whole number");
  }
  const created =
    raw.utc_time_created instanceof Date ? formatUtcTimeCreated(raw.utc_time_created) : raw.utc_time_created;
  const example = raw.saved_input_example_info;
  if (example !== undefined && example !== null && !isRecord(example)) {
    throw malformed(file, "'saved_input_example_info' must be a mapping");
  }
  const extra = Object.fromEntries(Object.entries(raw).filter(([key]) => !KNOWN_KEYS.has(key)));
  const model: MLModel = {
    ...(optionalString(raw.artifact_path, "artifact_path", file) !== undefined
      ? { artifact_path: optionalString(raw.artifact_path, "artifact_path", file) }
      : {}),
    flavors: flavors as Record<string, Record<string, unknown>>,
    ...(raw.mlflow_version !== undefined
      ? { mlflow_version: optionalString(raw.mlflow_version, "mlflow_version", file) }
      : {}),
    ...(typeof size === "number" ? { model_size_bytes: size } : {}),
    ...(raw.model_uuid !== undefined ? { model_uuid: optionalString(raw.model_uuid, "model_uuid", file) } : {}),
    ...("run_id" in raw ? { run_id: optionalString(raw.run_id, "run_id", file) ?? null } : {}),
    ...(created !== undefined ? { utc_time_created: optionalString(created, "utc_time_created", file) } : {}),
    ...(signature ? { signature } : {}),
    ...(isRecord(example) ? { saved_input_example_info: example } : {}),
    ...("metadata" in raw ? { metadata: isRecord(raw.metadata) ? raw.metadata : null } : {}),
    ...(Object.keys(extra).length > 0 ? { extra } : {}),
  };
  return model;
}

/**
 * The MLmodel as a plain object with MLflow's keys (signature schemas as JSON strings): what
 * `runs/log-model` takes as `model_json` and what the YAML file holds.
 */
export function mlmodelToDict(model: MLModel): Record<string, unknown> {
  const dict: Record<string, unknown> = { ...(model.extra ?? {}) };
  for (const [key, value] of Object.entries(model)) {
    if (key === "extra" || value === undefined) continue;
    dict[key] = key === "signature" ? formatSignature(value as ModelSignature) : value;
  }
  return dict;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (!isRecord(value)) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortKeys(value[key])]),
  );
}

const FOLD_WIDTH = 80;

/**
 * Folds a line holding a long single-quoted scalar the way PyYAML does: at a lone space, once the
 * column has passed 80, continuing two spaces deeper than the key.
 */
function foldQuotedLine(line: string): string {
  const match = /^( *)([^ '"][^:]*: )'(.*)'$/.exec(line);
  if (!match || line.length <= FOLD_WIDTH) return line;
  const indent = `${match[1] ?? ""}  `;
  const body = `'${match[3] ?? ""}'`;
  let out = `${match[1] ?? ""}${match[2] ?? ""}`;
  let column = out.length;
  for (let index = 0; index < body.length; index++) {
    const char = body[index] as string;
    const lone = char === " " && body[index - 1] !== " " && body[index + 1] !== " ";
    if (lone && column > FOLD_WIDTH && index !== 1 && index !== body.length - 2) {
      out += `\n${indent}`;
      column = indent.length;
      continue;
    }
    out += char;
    column++;
  }
  return out;
}

/** The MLmodel file's text, as MLflow writes it. */
export function formatMLModel(model: MLModel): string {
  const text = stringify(sortKeys(mlmodelToDict(model)), {
    version: "1.1",
    indentSeq: false,
    singleQuote: true,
    lineWidth: 0,
  });
  return text.split("\n").map(foldQuotedLine).join("\n");
}

/**
 * Reads `<dir>/MLmodel`.
 *
 * @throws LatheError RESOURCE_DOES_NOT_EXIST when there is none; INVALID_PARAMETER_VALUE when it is malformed
 */
export async function readMLModel(dir: string): Promise<MLModel> {
  const file = join(dir, MLMODEL_FILE);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") {
      throw new LatheError(
        "RESOURCE_DOES_NOT_EXIST",
        `No MLmodel file in '${dir}': a model directory needs one. Point at the folder MLflow or Lathe saved the model to (the one holding MLmodel).`,
      );
    }
    throw new LatheError("IO_ERROR", `Cannot read '${file}': ${(error as Error).message}.`, { cause: error });
  }
  return parseMLModel(text, file);
}

/** Writes `<dir>/MLmodel` atomically. */
export async function writeMLModel(dir: string, model: MLModel): Promise<void> {
  await writeFileAtomic(join(dir, MLMODEL_FILE), formatMLModel(model));
}

/**
 * The `onnx` flavor of a model, validated.
 *
 * @throws LatheError INVALID_PARAMETER_VALUE when the model has no onnx flavor or it is malformed
 */
export function getOnnxFlavor(model: MLModel, file = MLMODEL_FILE): OnnxFlavorConfig {
  const config = model.flavors.onnx;
  if (!config) {
    const names = Object.keys(model.flavors).join(", ");
    throw invalidParameter(
      `The model in '${file}' has no onnx flavor (it has: ${names}); Lathe serves ONNX models: log it with mlflow.onnx.log_model or export it to ONNX.`,
    );
  }
  if (typeof config.data !== "string" || config.data === "")
    throw malformed(file, "the onnx flavor has no 'data' file");
  const providers = Array.isArray(config.providers) ? config.providers.map(String) : ["CPUExecutionProvider"];
  return {
    onnx_version: typeof config.onnx_version === "string" ? config.onnx_version : String(config.onnx_version ?? ""),
    data: config.data,
    providers,
    code: typeof config.code === "string" ? config.code : null,
    onnx_session_options: isRecord(config.onnx_session_options) ? config.onnx_session_options : null,
    ...(typeof config.save_as_external_data === "boolean"
      ? { save_as_external_data: config.save_as_external_data }
      : {}),
  };
}
