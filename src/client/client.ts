/**
 * @module client/client
 * `LatheClient`, the TypeScript SDK's entry point: every tracking and registry endpoint as a typed
 * method (inherited from the tracking and registry halves), artifact upload and download, and the run
 * API (`startRun`, `withRun`). It talks to a `lathe server` or to an MLflow tracking server alike.
 */
import { invalidParameter } from "../core/errors.js";
import { type ResolvedModelUri, resolveModelUri } from "../registry/uri.js";
import { downloadPath, openArtifactStore, uploadPath } from "./artifacts.js";
import { RegistryClient } from "./registry-client.js";
import type { RestClientOptions } from "./rest.js";
import { type ActiveRun, createActiveRun, getOrCreateExperimentId, type StartRunOptions } from "./run.js";

export type LatheClientOptions = RestClientOptions;

/**
 * A client for one tracking server (default `MLFLOW_TRACKING_URI`, else http://127.0.0.1:5000).
 *
 * @example
 * import { LatheClient } from "lathe";
 *
 * const client = new LatheClient();
 * await client.withRun({ experiment: "iris", runName: "baseline" }, async (run) => {
 *   await run.logParams({ lr: 0.01 });
 *   for (let step = 0; step < 100; step++) run.logMetric("loss", 1 / (step + 1), step);
 * });
 */
export class LatheClient extends RegistryClient {
  /** Started runs that have not ended, oldest first (for `nested`). */
  readonly #activeRuns: ActiveRun[] = [];

  constructor(options: LatheClientOptions = {}) {
    super(options);
  }

  /** The most recently started run of this client that has not ended. */
  get activeRun(): ActiveRun | undefined {
    return this.#activeRuns.at(-1);
  }

  /**
   * Resolves `models:/name/3`, `models:/name/Production`, `models:/name/latest`, `models:/name@alias`
   * or `runs:/<run_id>/path` to the version it names and where its files are.
   *
   * @example
   * const { version, artifactUri } = await client.resolveModelUri("models:/iris@champion");
   */
  resolveModelUri(uri: string): Promise<ResolvedModelUri> {
    return resolveModelUri(uri, this);
  }

  /** The id of the experiment of that name, created when missing (like `mlflow.set_experiment`). */
  getOrCreateExperiment(name: string): Promise<string> {
    return getOrCreateExperimentId(this, name);
  }

  /**
   * Starts a run: finds or creates the experiment, records the environment as tags and creates the run.
   * End it with `run.end()`, or use `withRun`, which does it for you.
   *
   * @example
   * const run = await client.startRun({ experiment: "iris", runName: "baseline", tags: { team: "ml" } });
   * run.logMetrics({ loss: 0.4, accuracy: 0.91 }, 1);
   * await run.end();
   */
  async startRun(options: StartRunOptions = {}): Promise<ActiveRun> {
    let parentRunId = options.parentRunId;
    if (parentRunId === undefined && options.nested) {
      parentRunId = this.activeRun?.id;
      if (parentRunId === undefined) {
        throw invalidParameter(
          "nested: true needs a run to nest under: start the parent run first, or pass parentRunId.",
        );
      }
    }
    const run = await createActiveRun(this, options, parentRunId, (ended) => {
      const index = this.#activeRuns.indexOf(ended);
      if (index >= 0) this.#activeRuns.splice(index, 1);
    });
    this.#activeRuns.push(run);
    return run;
  }

  /**
   * Starts a run, calls `fn` with it, and ends it FINISHED, or FAILED when `fn` throws (the error is
   * rethrown). Returns what `fn` returns.
   *
   * @example
   * const accuracy = await client.withRun({ experiment: "iris" }, async (run) => {
   *   const result = await train();
   *   run.logMetric("accuracy", result.accuracy);
   *   return result.accuracy;
   * });
   */
  async withRun<T>(options: StartRunOptions, fn: (run: ActiveRun) => Promise<T> | T): Promise<T> {
    const run = await this.startRun(options);
    let result: T;
    try {
      result = await fn(run);
    } catch (error) {
      // The script's own error matters more than a failure to record the FAILED status.
      await run.end("FAILED").catch(() => undefined);
      throw error;
    }
    await run.end("FINISHED");
    return result;
  }

  async #storeFor(runId: string) {
    const run = await this.getRun(runId);
    return openArtifactStore(this.rest, run.info.artifact_uri);
  }

  /** Uploads a file or folder to a run's artifacts; it keeps its name, under `artifactPath` when given. */
  async uploadArtifact(runId: string, localPath: string, artifactPath = ""): Promise<void> {
    await uploadPath(await this.#storeFor(runId), localPath, artifactPath);
  }

  /** Uploads what a folder holds directly under `artifactPath` of a run's artifacts. */
  async uploadArtifacts(runId: string, localDir: string, artifactPath = ""): Promise<void> {
    await uploadPath(await this.#storeFor(runId), localDir, artifactPath, { contents: true });
  }

  /**
   * Downloads a run's artifact file or folder (`""` = all of them) into `destDir`, keeping its relative
   * path; returns the local path.
   *
   * @example
   * const modelDir = await client.downloadArtifacts(runId, "model", "./downloads");
   */
  async downloadArtifacts(runId: string, artifactPath: string, destDir: string): Promise<string> {
    return downloadPath(await this.#storeFor(runId), artifactPath, destDir);
  }
}
