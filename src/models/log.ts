/**
 * @module models/log
 * Moving model directories between this machine and a tracking server: `logModel` uploads one as a
 * run's artifacts under `model/` and records it in the run's `mlflow.log-model.history` tag (through
 * `runs/log-model`, as MLflow's `log_model` does), so `runs:/<run_id>/model` resolves;
 * `loadModelFromUri` downloads what a `runs:/`, `models:/name/version`, `models:/name@alias` URI
 * names (or opens a local path) and loads it.
 */
import { access, mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { validateArtifactPath } from "../artifacts/index.js";
import { downloadPath, openArtifactStore, uploadPath } from "../client/artifacts.js";
import type { LatheClient } from "../client/client.js";
import { invalidParameter } from "../core/errors.js";
import {
  formatMLModel,
  formatUtcTimeCreated,
  MLMODEL_FILE,
  type MLModel,
  mlmodelToDict,
  newModelUuid,
  readMLModel,
} from "./mlmodel.js";
import { type LoadedModelDir, loadModelDir } from "./model-dir.js";

export interface LogModelOptions {
  /** Where under the run's artifacts the model goes; default "model". */
  readonly artifactPath?: string;
}

/** What `logModel` logged. */
export interface LoggedModelInfo {
  readonly artifactPath: string;
  /** `runs:/<run_id>/<artifactPath>`: the source to register the model from. */
  readonly modelUri: string;
  /** The MLmodel as uploaded, with `run_id` and `artifact_path` filled in. */
  readonly mlmodel: MLModel;
}

const METADATA_MLMODEL = `metadata/${MLMODEL_FILE}`;

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/**
 * Uploads a model directory to a run's artifacts and records it in the run's model history. The
 * MLmodel (and its `metadata/` copy) is uploaded last, with `run_id` and `artifact_path` set.
 *
 * @example
 * const { modelUri } = await logModel(client, run.id, "out/model");
 * await client.createModelVersion("iris", modelUri, { runId: run.id });
 * @throws LatheError INVALID_PARAMETER_VALUE when the folder holds no valid MLmodel
 */
export async function logModel(
  client: LatheClient,
  runId: string,
  modelDir: string,
  options: LogModelOptions = {},
): Promise<LoggedModelInfo> {
  const artifactPath = validateArtifactPath(options.artifactPath ?? "model");
  if (artifactPath === "") throw invalidParameter("logModel needs a non-empty artifactPath, such as 'model'.");
  const local = await readMLModel(modelDir);
  const mlmodel: MLModel = {
    ...local,
    artifact_path: artifactPath,
    run_id: runId,
    utc_time_created: local.utc_time_created ?? formatUtcTimeCreated(),
    model_uuid: local.model_uuid ?? newModelUuid(),
  };
  const run = await client.getRun(runId);
  const store = openArtifactStore(client.rest, run.info.artifact_uri);
  const hasMetadataCopy = await exists(join(modelDir, METADATA_MLMODEL));
  // The MLmodel goes last: a folder holding one is a complete model to whoever reads it.
  await uploadPath(store, modelDir, artifactPath, {
    contents: true,
    skip: (file) => file === MLMODEL_FILE || file === METADATA_MLMODEL,
  });
  const text = Buffer.from(formatMLModel(mlmodel));
  if (hasMetadataCopy) await store.upload(`${artifactPath}/${METADATA_MLMODEL}`, text);
  await store.upload(`${artifactPath}/${MLMODEL_FILE}`, text);
  await client.logModel(runId, mlmodelToDict(mlmodel));
  return { artifactPath, modelUri: `runs:/${runId}/${artifactPath}`, mlmodel };
}

export interface LoadModelFromUriOptions {
  /** Where to download to; default a new temporary folder. */
  readonly destDir?: string;
}

/** A model directory found through a URI, and where its files came from. */
export interface LoadedModelFromUri extends LoadedModelDir {
  readonly source: {
    readonly name?: string;
    readonly version?: string;
    readonly runId?: string;
    readonly artifactUri: string;
  };
}

/**
 * Loads the model a URI names: `runs:/<run_id>/<path>`, `models:/<name>/<version|stage|latest>`,
 * `models:/<name>@<alias>` (downloaded from the tracking server first), a `file:` URI or a local path.
 *
 * @example
 * const { modelPath, mlmodel } = await loadModelFromUri("models:/iris@champion", client);
 * @throws LatheError INVALID_PARAMETER_VALUE for a malformed URI; RESOURCE_DOES_NOT_EXIST when it names nothing
 */
export async function loadModelFromUri(
  uri: string,
  client: LatheClient,
  options: LoadModelFromUriOptions = {},
): Promise<LoadedModelFromUri> {
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]+):/.exec(uri)?.[1]?.toLowerCase();
  if (scheme === undefined || scheme === "file" || /^[A-Za-z]:[\\/]/.test(uri)) {
    const path = scheme === "file" ? fileURLToPath(uri) : resolve(uri);
    const loaded = await loadModelDir(path);
    return { ...loaded, source: { artifactUri: path } };
  }
  if (scheme !== "runs" && scheme !== "models") {
    throw invalidParameter(
      `Cannot load a model from '${uri}': use runs:/<run_id>/<path>, models:/<name>/<version>, models:/<name>@<alias> or a local folder.`,
    );
  }
  const resolved = await client.resolveModelUri(uri);
  const dest = options.destDir ?? (await mkdtemp(join(tmpdir(), "lathe-model-")));
  const store = openArtifactStore(client.rest, resolved.artifactUri);
  const localPath = await downloadPath(store, "", dest);
  const loaded = await loadModelDir(localPath);
  return { ...loaded, source: resolved };
}
