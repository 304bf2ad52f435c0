/**
 * @module pipeline/track
 * `lathe repro --track`: every stage that ran (or was restored from the run-cache, or failed)
 * becomes a run on the tracking server — its parameter values, the numbers in its metrics files,
 * tags (stage, pipeline file, Lathe version, and the SDK's environment tags: git commit, dirty
 * flag, Node and OS), its share of the energy and emissions of the repro, and its dependencies'
 * and outputs' hashes as dataset inputs.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { LatheClient } from "../client/client.js";
import { type EnergyRecord, EnergyTracker } from "../energy/tracker.js";
import type { DatasetInput } from "../tracking/entities.js";
import { VERSION } from "../version.js";
import { stageAddress } from "./graph.js";
import { readLockFile } from "./lockfile.js";
import { readValues } from "./metrics/formats.js";
import { flattenValues } from "./metrics/values.js";
import { loadPipelines } from "./parse.js";
import type { ReproEvent, ReproResult } from "./repro.js";
import { workspaceSource } from "./source.js";
import { type LockedPath, lockFileFor, type Stage } from "./types.js";
import { pythonStr } from "./values.js";

/**
 * Start and end times of stages, gathered from repro's events, and the energy the whole repro used
 * (measured from the clock's creation: make it just before `reproduce`).
 */
export class StageClock {
  private readonly times = new Map<string, { start?: number; end?: number }>();
  private readonly tracker = new EnergyTracker();
  private energy: EnergyRecord | undefined;

  /** The energy used since the clock was made; measured once, on the first call. */
  totalEnergy(): EnergyRecord {
    this.energy ??= this.tracker.stop();
    return this.energy;
  }

  /** Feed every repro event here. */
  readonly onEvent = (event: ReproEvent): void => {
    if (event.type === "started") this.times.set(event.stage, { start: event.time });
    if (event.type === "finished") this.times.set(event.stage, { ...this.times.get(event.stage), end: event.time });
  };

  of(stage: string): { start?: number; end?: number } {
    return this.times.get(stage) ?? {};
  }
}

export interface TrackOptions {
  client: LatheClient;
  /** Experiment the runs go to (created when missing; default "pipeline"). */
  experiment?: string;
  clock?: StageClock;
}

/** One stage recorded as a run. */
export interface TrackedStage {
  stage: string;
  runId: string;
  status: "FINISHED" | "FAILED";
}

/** MLflow parameter keys allow letters, digits, `_ - . / space`; params of other files are prefixed by it. */
function paramKey(file: string, key: string): string {
  const name = file === "params.yaml" ? key : `${file}/${key}`;
  return name.replace(/[^\w./ -]/g, "_");
}

function datasetInputs(paths: readonly LockedPath[], context: "input" | "output", stage: Stage): DatasetInput[] {
  return paths
    .filter((entry) => entry.md5 !== undefined)
    .map((entry) => ({
      dataset: {
        name: entry.path,
        digest: entry.md5!.replace(/\.dir$/, "").slice(0, 36),
        source_type: "local",
        source: JSON.stringify({ uri: entry.path, md5: entry.md5, stage: stage.name }),
      },
      tags: [{ key: "mlflow.data.context", value: context }],
    }));
}

async function stageMetrics(root: string, stage: Stage): Promise<Map<string, number>> {
  const metrics = new Map<string, number>();
  const files = stage.metrics.map((metric) => metric.path);
  for (const path of files) {
    let text: string;
    try {
      text = await readFile(join(root, ...path.split("/")), "utf8");
    } catch {
      continue; // A stage that failed may not have written its metrics.
    }
    for (const [key, value] of readValues(path, text))
      if (typeof value === "number" && Number.isFinite(value))
        metrics.set(files.length > 1 ? `${path}/${key}`.replace(/[^\w./ -]/g, "_") : key, value);
  }
  return metrics;
}

/** Records the stages a repro ran, restored or failed as runs; returns them in pipeline order. */
export async function trackStages(cwd: string, result: ReproResult, options: TrackOptions): Promise<TrackedStage[]> {
  const { openDataRepo } = await import("../data/repo.js");
  const root = (await openDataRepo(cwd)).root;
  const pipelines = await loadPipelines(workspaceSource(root));
  const failed = new Map(result.failed.map((failure) => [failure.stage, failure]));
  const wanted = new Set([...result.ran, ...result.restored, ...failed.keys()]);
  const tracked: TrackedStage[] = [];
  // Energy is measured for the whole repro (stages run as child processes, possibly in parallel)
  // and shared among the stages that ran in proportion to their durations.
  const clock = options.clock;
  const energy = clock?.totalEnergy();
  const durationOf = (address: string) => {
    const { start, end } = clock?.of(address) ?? {};
    return start !== undefined && end !== undefined ? (end - start) / 1000 : 0;
  };
  const totalDuration = [...wanted].reduce((sum, address) => sum + durationOf(address), 0);
  for (const pipeline of pipelines) {
    const lock = await readLockFile(root, lockFileFor(pipeline.file));
    for (const stage of pipeline.stages) {
      const address = stageAddress(stage);
      if (!wanted.has(address)) continue;
      const failure = failed.get(address);
      const entry = failure ? undefined : lock.get(stage.name);
      const times = options.clock?.of(address) ?? {};
      const run = await options.client.startRun({
        experiment: options.experiment ?? "pipeline",
        runName: stage.name,
        tags: {
          "lathe.stage": address,
          "lathe.pipeline_file": pipeline.file,
          "lathe.version": VERSION,
          "lathe.stage.restored": String(result.restored.includes(address)),
          ...(stage.desc ? { "mlflow.note.content": stage.desc } : {}),
        },
      });
      let status: TrackedStage["status"] = failure ? "FAILED" : "FINISHED";
      try {
        const params: Record<string, string> = { cmd: stage.cmd.join(" && ").slice(0, 6000) };
        // A tracked section becomes one parameter per value: `train: {lr: 0.1}` → `train.lr`.
        for (const [file, values] of Object.entries(entry?.params ?? {}))
          for (const [key, value] of flattenValues(values)) params[paramKey(file, key)] = pythonStr(value);
        await run.logParams(params);
        for (const [key, value] of await stageMetrics(root, stage)) run.logMetric(key, value);
        if (times.start !== undefined && times.end !== undefined)
          run.logMetric("lathe.stage.duration_seconds", (times.end - times.start) / 1000);
        if (energy && totalDuration > 0) {
          const share = durationOf(address) / totalDuration;
          run.logMetric("energy_kwh", energy.energy_consumed * share);
          run.logMetric("emissions_kg", energy.emissions * share);
          await run.setTag("lathe.energy.method", `${energy.cpu_measurement}, shared by stage duration`);
        }
        if (failure) await run.setTag("lathe.stage.failure", failure.message.slice(0, 5000));
        if (entry) {
          const inputs = [...datasetInputs(entry.deps, "input", stage), ...datasetInputs(entry.outs, "output", stage)];
          if (inputs.length > 0) await options.client.logInputs(run.id, inputs);
        }
      } catch (error) {
        status = "FAILED";
        await run.end(status).catch(() => undefined);
        throw error;
      }
      await run.end(status);
      tracked.push({ stage: address, runId: run.id, status });
    }
  }
  return tracked;
}
