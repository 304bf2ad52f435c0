/**
 * @module models/model-dir
 * MLflow model directories holding an ONNX model: loading one (MLmodel, flavor, model file) and
 * writing one the way `mlflow.onnx.log_model` lays it out (MLflow 2.12): `MLmodel`, `model.onnx`,
 * `conda.yaml`, `python_env.yaml`, `requirements.txt`, `input_example.json` when an example is
 * given, and the `metadata/` copy of the MLmodel and environment files, so Python's
 * `mlflow.pyfunc.load_model` loads what Lathe writes.
 */
import { stat } from "node:fs/promises";
import { isAbsolute, join, normalize, sep } from "node:path";
import { invalidParameter, LatheError } from "../core/errors.js";
import { writeFileAtomic } from "../core/fs.js";
import { pythonJsonDumps } from "../core/python-json.js";
import {
  formatMLModel,
  formatUtcTimeCreated,
  getOnnxFlavor,
  MLMODEL_FILE,
  type MLModel,
  newModelUuid,
  type OnnxFlavorConfig,
  readMLModel,
} from "./mlmodel.js";
import { OnnxModel, type OnnxModelOptions } from "./onnx/runtime.js";
import { type ModelSignature, schemaNames } from "./signature.js";

/** A model directory, read. */
export interface LoadedModelDir {
  readonly dir: string;
  readonly mlmodel: MLModel;
  readonly flavor: OnnxFlavorConfig;
  /** Absolute path of the ONNX file. */
  readonly modelPath: string;
}

/** The versions a written model directory records; the defaults match the MLflow 2.12 layout Lathe reproduces. */
export interface EnvironmentVersions {
  mlflow?: string;
  onnx?: string;
  onnxruntime?: string;
  python?: string;
  pip?: string;
  setuptools?: string;
  wheel?: string;
}

const DEFAULT_VERSIONS: Required<EnvironmentVersions> = {
  mlflow: "2.12.2",
  onnx: "1.12.0",
  onnxruntime: "1.17.0",
  python: "3.11.2",
  pip: "23.0.1",
  setuptools: "",
  wheel: "0.38.4",
};

/** An input example: named columns with rows (a DataFrame), or bare rows (an ndarray). */
export type InputExample =
  | { readonly columns: readonly string[]; readonly data: readonly (readonly unknown[])[] }
  | readonly (readonly unknown[])[];

export interface WriteModelDirOptions {
  /** The serialized ONNX model. */
  readonly onnx: Uint8Array;
  readonly signature?: ModelSignature;
  readonly inputExample?: InputExample;
  readonly runId?: string | null;
  /** Default "model". */
  readonly artifactPath?: string;
  readonly versions?: EnvironmentVersions;
  /** Extra pip requirements, after mlflow, onnx and onnxruntime. */
  readonly extraPipRequirements?: readonly string[];
  readonly metadata?: Readonly<Record<string, unknown>>;
  /** The ONNX file's name in the directory; default "model.onnx". */
  readonly modelFile?: string;
  /** Execution providers MLflow will try, default CUDA then CPU as mlflow.onnx writes. */
  readonly providers?: readonly string[];
  /** Write the `metadata/` copy MLflow's log_model adds (default true). */
  readonly metadataCopy?: boolean;
  readonly now?: Date;
}

function insideDir(dir: string, relative: string, file: string): string {
  const cleaned = normalize(relative);
  if (isAbsolute(relative) || cleaned === ".." || cleaned.startsWith(`..${sep}`) || relative.includes("\0")) {
    throw invalidParameter(
      `The onnx flavor in '${file}' points at '${relative}', outside the model directory; the model file must sit inside it.`,
    );
  }
  return join(dir, cleaned);
}

/**
 * Reads a local model directory: its MLmodel, the onnx flavor and where the ONNX file is.
 *
 * @throws LatheError RESOURCE_DOES_NOT_EXIST when the folder, MLmodel or model file is missing;
 *   INVALID_PARAMETER_VALUE when MLmodel is malformed or has no onnx flavor
 */
export async function loadModelDir(dir: string): Promise<LoadedModelDir> {
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw new LatheError(
      "RESOURCE_DOES_NOT_EXIST",
      `Model directory '${dir}' does not exist or is not a folder; pass the folder that holds the MLmodel file.`,
    );
  }
  const mlmodel = await readMLModel(dir);
  const file = join(dir, MLMODEL_FILE);
  const flavor = getOnnxFlavor(mlmodel, file);
  const modelPath = insideDir(dir, flavor.data, file);
  const model = await stat(modelPath).catch(() => undefined);
  if (!model?.isFile()) {
    throw new LatheError(
      "RESOURCE_DOES_NOT_EXIST",
      `The onnx flavor in '${file}' names '${flavor.data}', but there is no such file in '${dir}'; copy the whole model directory.`,
    );
  }
  return { dir, mlmodel, flavor, modelPath };
}

const OPTIMIZATION_LEVELS: Record<number, OnnxModelOptions["graphOptimizationLevel"]> = {
  0: "disabled",
  1: "basic",
  2: "extended",
  99: "all",
};

/**
 * Session options from the onnx flavor's `onnx_session_options` (onnxruntime.SessionOptions attribute
 * names, as `mlflow.onnx.save_model` records them); unknown keys are ignored.
 */
export function sessionOptionsFromFlavor(flavor: OnnxFlavorConfig): OnnxModelOptions {
  const recorded = flavor.onnx_session_options ?? {};
  const options: { -readonly [K in keyof OnnxModelOptions]: OnnxModelOptions[K] } = {};
  const count = (value: unknown) =>
    typeof value === "number" && Number.isInteger(value) && value >= 0 ? value : undefined;
  const intra = count(recorded.intra_op_num_threads);
  if (intra !== undefined && intra > 0) options.intraOpNumThreads = intra;
  const inter = count(recorded.inter_op_num_threads);
  if (inter !== undefined && inter > 0) options.interOpNumThreads = inter;
  const mode = String(recorded.execution_mode ?? "").toLowerCase();
  if (mode.includes("parallel")) options.executionMode = "parallel";
  else if (mode.includes("sequential")) options.executionMode = "sequential";
  const level = OPTIMIZATION_LEVELS[count(recorded.graph_optimization_level) ?? -1];
  if (level) options.graphOptimizationLevel = level;
  return options;
}

/**
 * Opens the ONNX model of a loaded directory, with the session options the MLmodel records (`options`
 * wins over them). The signature's column names become the feature order when the model takes one
 * tensor, so named columns may come in any order.
 */
export async function openOnnxModel(loaded: LoadedModelDir, options: OnnxModelOptions = {}): Promise<OnnxModel> {
  const inputs = loaded.mlmodel.signature?.inputs;
  const names = inputs && inputs[0]?.kind === "column" ? schemaNames(inputs) : [];
  // Feature names only reorder columns for a single-input model; several inputs are matched by name.
  return OnnxModel.load(loaded.modelPath, {
    ...sessionOptionsFromFlavor(loaded.flavor),
    ...(names.length > 0 ? { featureNames: names } : {}),
    ...options,
  });
}

function condaYaml(versions: Required<EnvironmentVersions>, requirements: readonly string[]): string {
  const pip = requirements.map((line) => `  - ${line}\n`).join("");
  return `channels:\n- conda-forge\ndependencies:\n- python=${versions.python}\n- pip<=${versions.pip}\n- pip:\n${pip}name: mlflow-env\n`;
}

function pythonEnvYaml(versions: Required<EnvironmentVersions>): string {
  const setuptools = versions.setuptools === "" ? "setuptools" : `setuptools==${versions.setuptools}`;
  return `python: ${versions.python}\nbuild_dependencies:\n- pip==${versions.pip}\n- ${setuptools}\n- wheel==${versions.wheel}\ndependencies:\n- -r requirements.txt\n`;
}

/** `input_example.json` and its `saved_input_example_info`, as MLflow 2.12 writes them. */
function inputExampleFile(example: InputExample): { text: string; info: Record<string, unknown> } {
  if (Array.isArray(example)) {
    return {
      text: pythonJsonDumps({ inputs: example }, { sortKeys: false }),
      info: { artifact_path: "input_example.json", format: "tf-serving", type: "ndarray" },
    };
  }
  const frame = example as { columns: readonly string[]; data: readonly (readonly unknown[])[] };
  frame.data.forEach((row, index) => {
    if (row.length !== frame.columns.length) {
      throw invalidParameter(
        `Input example row ${index} has ${row.length} values for ${frame.columns.length} columns; give one value per column.`,
      );
    }
  });
  return {
    text: pythonJsonDumps({ columns: frame.columns, data: frame.data }, { sortKeys: false }),
    info: { artifact_path: "input_example.json", pandas_orient: "split", type: "dataframe" },
  };
}

/**
 * Writes a model directory for an ONNX model as `mlflow.onnx.log_model` does, and returns its MLmodel.
 *
 * @throws LatheError RESOURCE_ALREADY_EXISTS when `dir` already holds a model
 * @example
 * await writeModelDir("out/model", { onnx: exportToOnnx(trained), signature, inputExample: { columns, data: rows.slice(0, 5) } });
 */
export async function writeModelDir(dir: string, options: WriteModelDirOptions): Promise<MLModel> {
  if (!(options.onnx instanceof Uint8Array) || options.onnx.length === 0) {
    throw invalidParameter("writeModelDir needs the ONNX model's bytes (onnx: Uint8Array); export the model first.");
  }
  const versions = { ...DEFAULT_VERSIONS, ...options.versions };
  const modelFile = options.modelFile ?? "model.onnx";
  insideDir(dir, modelFile, "writeModelDir options");
  const example = options.inputExample === undefined ? undefined : inputExampleFile(options.inputExample);
  if (await stat(join(dir, MLMODEL_FILE)).catch(() => undefined)) {
    // As mlflow's save_model does: never mix a new model with the files of an old one.
    throw new LatheError(
      "RESOURCE_ALREADY_EXISTS",
      `'${dir}' already holds a model (it has an MLmodel file); remove the folder or write to another path.`,
    );
  }
  // MLflow saves the example and the model, measures the folder, then writes the environment files.
  let size = 0;
  let exampleInfo: Record<string, unknown> | undefined;
  if (example) {
    await writeFileAtomic(join(dir, "input_example.json"), example.text);
    size += Buffer.byteLength(example.text);
    exampleInfo = example.info;
  }
  await writeFileAtomic(join(dir, modelFile), options.onnx);
  size += options.onnx.length;
  const mlmodel: MLModel = {
    artifact_path: options.artifactPath ?? "model",
    flavors: {
      onnx: {
        code: null,
        data: modelFile,
        onnx_session_options: null,
        onnx_version: versions.onnx,
        providers: [...(options.providers ?? ["CUDAExecutionProvider", "CPUExecutionProvider"])],
      },
      python_function: {
        data: modelFile,
        env: { conda: "conda.yaml", virtualenv: "python_env.yaml" },
        loader_module: "mlflow.onnx",
        python_version: versions.python,
      },
    },
    mlflow_version: versions.mlflow,
    model_size_bytes: size,
    model_uuid: newModelUuid(),
    // MLflow leaves run_id out of a model saved outside a run.
    ...(options.runId ? { run_id: options.runId } : {}),
    utc_time_created: formatUtcTimeCreated(options.now),
    ...(options.signature ? { signature: options.signature } : {}),
    ...(exampleInfo ? { saved_input_example_info: exampleInfo } : {}),
    ...(options.metadata ? { metadata: options.metadata } : {}),
  };
  const requirements = [
    `mlflow==${versions.mlflow}`,
    `onnx==${versions.onnx}`,
    `onnxruntime==${versions.onnxruntime}`,
    ...(options.extraPipRequirements ?? []),
  ];
  const files: [string, string][] = [
    ["conda.yaml", condaYaml(versions, requirements)],
    ["python_env.yaml", pythonEnvYaml(versions)],
    ["requirements.txt", requirements.join("\n")],
  ];
  for (const [name, text] of files) await writeFileAtomic(join(dir, name), text);
  const mlmodelText = formatMLModel(mlmodel);
  if (options.metadataCopy !== false) {
    for (const [name, text] of [...files, [MLMODEL_FILE, mlmodelText] as [string, string]]) {
      await writeFileAtomic(join(dir, "metadata", name), text);
    }
  }
  // MLmodel last: a folder holding one is a complete model to whoever reads it.
  await writeFileAtomic(join(dir, MLMODEL_FILE), mlmodelText);
  return mlmodel;
}
