/**
 * @module client/run
 * The run API: a run started for a training script, which records its environment, buffers metric
 * points and sends them in background batches, uploads artifacts and models, and ends with a status.
 * Experiments are looked up by name and created when missing, as `mlflow.set_experiment` does.
 */
import { randomUUID } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { parseDocument } from "yaml";
import { validateArtifactPath } from "../artifacts/index.js";
import { invalidParameter, LatheError } from "../core/errors.js";
import type { Metric, RunInfo, RunStatus } from "../tracking/entities.js";
import { validateKey } from "../tracking/validation.js";
import { type ArtifactStore, openArtifactStore, uploadPath } from "./artifacts.js";
import { collectEnvironmentTags, type EnvironmentOptions } from "./environment.js";
import { MetricBuffer, type MetricBufferOptions, SerialQueue } from "./metric-buffer.js";
import type { TrackingClient } from "./tracking-client.js";
import { type TagsInput, toTags } from "./tracking-options.js";

export type ParamValue = string | number | boolean;

export interface StartRunOptions extends MetricBufferOptions {
  /** Experiment name; created when missing. Default `MLFLOW_EXPERIMENT_NAME`, else the Default experiment. */
  experiment?: string;
  /** Id of an existing experiment (instead of `experiment`); default `MLFLOW_EXPERIMENT_ID`. */
  experimentId?: string;
  runName?: string;
  tags?: TagsInput;
  /** Stored as the run's description (`mlflow.note.content`). */
  description?: string;
  /** Nest under the most recent run this client started that has not ended. */
  nested?: boolean;
  /** Nest under this run (wins over `nested`). */
  parentRunId?: string;
  /** Record the environment as tags (default true). */
  recordEnvironment?: boolean;
  /** Where the environment probes look (git, lock file). */
  environment?: EnvironmentOptions;
}

/** What `logModel` logged. */
export interface LoggedModel {
  artifactPath: string;
  /** `runs:/<run_id>/<artifactPath>`, the source to register the model from. */
  modelUri: string;
  /** The MLmodel as sent to runs/log-model, when the folder had one. */
  mlmodel?: Record<string, unknown>;
}

/** MLflow's `utc_time_created` format, "YYYY-MM-DD HH:MM:SS.ffffff". */
function utcTimeCreated(date = new Date()): string {
  const iso = date.toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}000`;
}

/**
 * A started run. Metric calls return at once and are sent in the background; the other calls wait for
 * their request. A failed background send is thrown by the next call, and by `end()`.
 *
 * @example
 * const run = await client.startRun({ experiment: "iris", runName: "baseline" });
 * await run.logParams({ lr: 0.01, epochs: 10 });
 * for (let epoch = 0; epoch < 10; epoch++) run.logMetric("loss", 1 / (epoch + 1), epoch);
 * await run.logModel("./out/model");
 * await run.end();
 */
export class ActiveRun {
  readonly id: string;
  readonly experimentId: string;
  readonly name: string;
  readonly artifactUri: string;
  /** The run as created. */
  readonly info: RunInfo;
  readonly #client: TrackingClient;
  readonly #queue = new SerialQueue();
  readonly #buffer: MetricBuffer;
  readonly #onEnd: (run: ActiveRun) => void;
  #failure: unknown;
  #lostPoints = 0;
  #ended = false;

  constructor(client: TrackingClient, info: RunInfo, options: MetricBufferOptions, onEnd: (run: ActiveRun) => void) {
    this.#client = client;
    this.info = info;
    this.id = info.run_id;
    this.experimentId = info.experiment_id;
    this.name = info.run_name;
    this.artifactUri = info.artifact_uri;
    this.#onEnd = onEnd;
    this.#buffer = new MetricBuffer(
      (metrics) => client.logBatch(this.id, { metrics }),
      this.#queue,
      (error, lost) => {
        this.#failure ??= error;
        this.#lostPoints += lost;
      },
      options,
    );
  }

  /** True once `end()` was called. */
  get ended(): boolean {
    return this.#ended;
  }

  /** Metric points logged but not yet sent. */
  get pendingMetrics(): number {
    return this.#buffer.pending;
  }

  /** Throws a background failure once (then clears it), or refuses use after `end()`. */
  #check(): void {
    if (this.#ended) {
      throw new LatheError("INVALID_STATE", `Run ${this.id} has ended; start a new run to log more.`);
    }
    this.#throwFailure();
  }

  #throwFailure(): void {
    if (this.#failure === undefined) return;
    const failure = this.#failure;
    const lost = this.#lostPoints;
    this.#failure = undefined;
    this.#lostPoints = 0;
    const code = failure instanceof LatheError ? failure.code : "INTERNAL_ERROR";
    const reason = failure instanceof Error ? failure.message : String(failure);
    throw new LatheError(
      code,
      `Sending metrics of run ${this.id} failed; ${lost} point(s) were not recorded. ${reason}`,
      { cause: failure },
    );
  }

  async logParam(key: string, value: ParamValue): Promise<void> {
    await this.logParams({ [key]: value });
  }

  async logParams(params: Readonly<Record<string, ParamValue>>): Promise<void> {
    this.#check();
    const list = Object.entries(params).map(([key, value]) => ({ key, value: String(value) }));
    await this.#queue.run(() => this.#client.logBatch(this.id, { params: list }));
  }

  async setTag(key: string, value: string): Promise<void> {
    await this.setTags({ [key]: value });
  }

  async setTags(tags: TagsInput): Promise<void> {
    this.#check();
    const list = toTags(tags);
    await this.#queue.run(() => this.#client.logBatch(this.id, { tags: list }));
  }

  /** Buffers one point (step default 0); it is sent in the background. */
  logMetric(key: string, value: number, step?: number): void {
    this.logMetrics({ [key]: value }, step);
  }

  /** Buffers one point per key, all with the same timestamp and step. */
  logMetrics(metrics: Readonly<Record<string, number>>, step = 0): void {
    this.#check();
    if (!Number.isSafeInteger(step)) throw invalidParameter(`Metric step must be a whole number; got ${step}.`);
    const timestamp = Date.now();
    const points: Metric[] = [];
    for (const [key, value] of Object.entries(metrics)) {
      validateKey("metric", key);
      if (typeof value !== "number") {
        throw invalidParameter(`Metric '${key}' must be a number; got ${typeof value}.`);
      }
      points.push({ key, value, timestamp, step });
    }
    for (const point of points) this.#buffer.add(point);
  }

  /** Sends every buffered point now and waits for it; throws if any background send failed. */
  async flush(): Promise<void> {
    this.#check();
    await this.#buffer.flush();
    this.#throwFailure();
  }

  #store(): ArtifactStore {
    return openArtifactStore(this.#client.rest, this.artifactUri);
  }

  /** Uploads a file or folder; it keeps its name, under `artifactPath` when given. */
  async logArtifact(localPath: string, artifactPath = ""): Promise<void> {
    this.#check();
    await uploadPath(this.#store(), localPath, artifactPath);
  }

  /** Uploads what a folder holds directly under `artifactPath`. */
  async logArtifacts(localDir: string, artifactPath = ""): Promise<void> {
    this.#check();
    await uploadPath(this.#store(), localDir, artifactPath, { contents: true });
  }

  /**
   * Uploads a model folder to `artifactPath`. When it holds an `MLmodel` file, that file is uploaded last
   * with `run_id`, `artifact_path` (and `utc_time_created`, `model_uuid` if missing) filled in, and sent as
   * JSON to runs/log-model so MLflow tools see a logged model.
   *
   * @example
   * const { modelUri } = await run.logModel("./out/model");
   * await client.createModelVersion("iris", modelUri, { runId: run.id });
   */
  async logModel(dir: string, artifactPath = "model"): Promise<LoggedModel> {
    this.#check();
    const target = validateArtifactPath(artifactPath);
    if (target === "") throw invalidParameter("logModel needs a non-empty artifactPath, such as 'model'.");
    const info = await stat(dir).catch(() => undefined);
    if (!info?.isDirectory()) throw invalidParameter(`logModel expects a model folder; '${dir}' is not one.`);
    const store = this.#store();
    const logged: LoggedModel = { artifactPath: target, modelUri: `runs:/${this.id}/${target}` };
    const text = await readFile(join(dir, "MLmodel"), "utf8").catch(() => undefined);
    if (text === undefined) {
      await uploadPath(store, dir, target, { contents: true });
      return logged;
    }
    const document = parseDocument(text);
    if (document.errors.length > 0 || !document.has("flavors")) {
      const problem = document.errors[0]?.message ?? "it has no 'flavors' section";
      throw invalidParameter(`The MLmodel file in '${dir}' is not a valid MLflow model description: ${problem}.`);
    }
    document.set("artifact_path", target);
    document.set("run_id", this.id);
    if (!document.has("utc_time_created")) document.set("utc_time_created", utcTimeCreated());
    if (!document.has("model_uuid")) document.set("model_uuid", randomUUID().replaceAll("-", ""));
    // MLmodel goes last: a folder with an MLmodel is a complete model to whoever reads it.
    await uploadPath(store, dir, target, { contents: true, skip: (file) => file === "MLmodel" });
    await store.upload(`${target}/MLmodel`, Buffer.from(document.toString()));
    logged.mlmodel = document.toJSON() as Record<string, unknown>;
    const mlmodel = logged.mlmodel;
    await this.#queue.run(() => this.#client.logModel(this.id, mlmodel));
    return logged;
  }

  /**
   * Sends every buffered point, then marks the run ended with `status` and the end time. Calling it again
   * does nothing. Throws, after ending the run, if any background send failed.
   */
  async end(status: RunStatus = "FINISHED"): Promise<void> {
    if (this.#ended) return;
    this.#ended = true;
    try {
      await this.#buffer.flush();
      await this.#queue.run(() => this.#client.updateRun(this.id, { status, endTime: Date.now() }));
    } finally {
      this.#onEnd(this);
    }
    this.#throwFailure();
  }
}

/**
 * The id of the experiment named `name`, creating it when there is none (a 404 from get-by-name), as
 * `mlflow.set_experiment` does. A deleted experiment of that name is refused: restore it or pick a new name.
 */
export async function getOrCreateExperimentId(client: TrackingClient, name: string): Promise<string> {
  let existing: Awaited<ReturnType<TrackingClient["getExperimentByName"]>> | undefined;
  try {
    existing = await client.getExperimentByName(name);
  } catch (error) {
    if (!(error instanceof LatheError && error.code === "RESOURCE_DOES_NOT_EXIST")) throw error;
  }
  if (existing?.lifecycle_stage === "deleted") {
    throw invalidParameter(
      `Experiment '${name}' (id ${existing.experiment_id}) is deleted. Restore it (client.restoreExperiment("${existing.experiment_id}")) or use another name.`,
    );
  }
  if (existing) return existing.experiment_id;
  try {
    return await client.createExperiment(name);
  } catch (error) {
    // Another process created it between our lookup and our create.
    if (error instanceof LatheError && error.code === "RESOURCE_ALREADY_EXISTS") {
      return (await client.getExperimentByName(name)).experiment_id;
    }
    throw error;
  }
}

async function resolveExperimentId(client: TrackingClient, options: StartRunOptions): Promise<string> {
  if (options.experiment !== undefined && options.experimentId !== undefined) {
    throw invalidParameter("Pass either experiment (a name) or experimentId, not both.");
  }
  if (options.experimentId !== undefined) return options.experimentId;
  if (options.experiment !== undefined) return getOrCreateExperimentId(client, options.experiment);
  if (process.env.MLFLOW_EXPERIMENT_ID) return process.env.MLFLOW_EXPERIMENT_ID;
  if (process.env.MLFLOW_EXPERIMENT_NAME) return getOrCreateExperimentId(client, process.env.MLFLOW_EXPERIMENT_NAME);
  return "0";
}

/** Creates the run behind `LatheClient.startRun`; `parentRunId` is already resolved there. */
export async function createActiveRun(
  client: TrackingClient,
  options: StartRunOptions,
  parentRunId: string | undefined,
  onEnd: (run: ActiveRun) => void,
): Promise<ActiveRun> {
  const experimentId = await resolveExperimentId(client, options);
  const tags = options.recordEnvironment === false ? {} : await collectEnvironmentTags(options.environment);
  for (const tag of toTags(options.tags)) tags[tag.key] = tag.value;
  if (options.runName) tags["mlflow.runName"] = options.runName;
  if (parentRunId) tags["mlflow.parentRunId"] = parentRunId;
  if (options.description) tags["mlflow.note.content"] = options.description;
  const run = await client.createRun({ experimentId, runName: options.runName, tags, userId: tags["mlflow.user"] });
  return new ActiveRun(client, run.info, options, onEnd);
}
