/**
 * @module models/retrain
 * `lathe retrain`: train a challenger on the newest data, score it and the champion on the same
 * fresh labelled rows, and move the champion's alias to the challenger only when it wins by the
 * configured margin — otherwise record why not. Every step is a tracked run, and the alias move is
 * in the model's history, so `lathe models rollback` undoes it; a model server following the alias
 * swaps to the new version by itself.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { LatheClient } from "../client/client.js";
import { invalidParameter } from "../core/errors.js";
import { loadModelFromUri } from "./log.js";
import { openOnnxModel } from "./model-dir.js";
import { type Dataset, readCsvDataset } from "./train/dataset.js";
import { accuracy, r2Score } from "./train/metrics.js";
import { trainCommand } from "./train-command.js";

export interface RetrainOptions {
  client: LatheClient;
  /** The champion: `models:/<name>@<alias>`. */
  model: string;
  /** The newest training data (CSV). */
  data: string;
  target?: string;
  algo: string;
  params?: Readonly<Record<string, string>>;
  /** Fresh labelled rows both models are scored on (CSV with the target column). */
  evaluate: string;
  /** How much better the challenger must score to be promoted (default 0). */
  margin?: number;
  experiment?: string;
  /** First reproduce the pipeline of `cwd` (tracked), so `data` is the newest it makes. */
  repro?: boolean;
  cwd?: string;
}

export interface RetrainResult {
  name: string;
  alias: string;
  metric: "accuracy" | "r2";
  champion: { version: string; score: number };
  challenger: { runId: string; score: number; version?: string };
  promoted: boolean;
  reason: string;
  /** The run recording the comparison and the decision. */
  runId: string;
  /** Stages the pipeline reproduction ran, with `repro`. */
  reproduced?: string[];
}

/** Labels (or values) a logged model predicts for the rows of `data`, through its ONNX graph. */
async function predictWith(client: LatheClient, uri: string, data: Dataset): Promise<(string | number)[]> {
  const folder = await mkdtemp(join(tmpdir(), "lathe-retrain-"));
  try {
    const model = await openOnnxModel(await loadModelFromUri(uri, client, { destDir: folder }));
    try {
      const result = await model.predict({ columns: data.featureNames, rows: data.rows.map((row) => [...row]) });
      const values = result.label ?? (result.prediction as number[] | undefined);
      if (!values) throw invalidParameter(`${uri} gives neither labels nor predictions; it cannot be scored.`);
      return values;
    } finally {
      await model.close();
    }
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

function score(metric: RetrainResult["metric"], truth: Dataset["target"], predicted: (string | number)[]): number {
  if (metric === "r2") return r2Score(truth.map(Number), predicted.map(Number));
  // Labels come back from ONNX as strings or int64 numbers; compare them as text.
  return accuracy(truth.map(String), predicted.map(String));
}

export async function retrain(options: RetrainOptions): Promise<RetrainResult> {
  const match = /^models:\/([^/@]+)@([^/@]+)$/.exec(options.model);
  if (!match)
    throw invalidParameter(
      `retrain needs the champion as models:/<name>@<alias> (got '${options.model}'), so it knows which alias to move.`,
    );
  const [, name, alias] = match as unknown as [string, string, string];
  const margin = options.margin ?? 0;
  if (!Number.isFinite(margin) || margin < 0) throw invalidParameter(`--margin must be a number ≥ 0, got ${margin}.`);
  const { client } = options;
  const cwd = options.cwd ?? process.cwd();
  const champion = await client.resolveModelUri(options.model);
  const experiment = options.experiment ?? `retrain-${name}`;
  let reproduced: string[] | undefined;
  if (options.repro) {
    const [{ reproduce }, { StageClock, trackStages }] = await Promise.all([
      import("../pipeline/repro.js"),
      import("../pipeline/track.js"),
    ]);
    const clock = new StageClock();
    const result = await reproduce({ cwd, onEvent: clock.onEvent });
    await trackStages(cwd, result, { client, experiment, clock });
    if (result.failed.length > 0)
      throw invalidParameter(
        `The pipeline failed before retraining: ${result.failed.map((failure) => `${failure.stage}: ${failure.message}`).join("; ")}. Fix it and run lathe retrain again; the champion is unchanged.`,
      );
    reproduced = [...result.ran, ...result.restored];
  }
  const fresh = await readCsvDataset(resolve(cwd, options.evaluate), {
    target: options.target,
    source: options.evaluate,
  });

  const challenger = await trainCommand({
    data: options.data,
    target: options.target ?? fresh.targetName,
    algo: options.algo,
    params: options.params,
    client,
    experiment,
    runName: `challenger-${options.algo}`,
    cwd,
  });
  const metric: RetrainResult["metric"] = challenger.task === "regression" ? "r2" : "accuracy";
  const championScore = score(metric, fresh.target, await predictWith(client, options.model, fresh));
  const challengerScore = score(metric, fresh.target, await predictWith(client, challenger.modelUri!, fresh));
  const promoted = challengerScore > championScore + margin;
  const reason = promoted
    ? `challenger ${metric} ${challengerScore.toFixed(4)} beats champion ${championScore.toFixed(4)} by more than ${margin}`
    : `challenger ${metric} ${challengerScore.toFixed(4)} does not beat champion ${championScore.toFixed(4)} by more than ${margin}; champion kept`;

  let version: string | undefined;
  if (promoted) {
    version = (await client.createModelVersion(name, challenger.modelUri!, { runId: challenger.runId })).version;
    await client.setRegisteredModelAlias(name, alias, version);
  }
  const run = await client.startRun({
    experiment,
    runName: "decision",
    tags: {
      "lathe.retrain.model": name,
      "lathe.retrain.alias": alias,
      "lathe.retrain.decision": promoted ? "promoted" : "kept",
      "lathe.retrain.reason": reason,
      "lathe.retrain.champion_version": champion.version ?? "",
      "lathe.retrain.challenger_run": challenger.runId!,
      ...(version ? { "lathe.retrain.promoted_version": version } : {}),
    },
  });
  await run.logParams({ metric, margin, evaluation_rows: fresh.rows.length, evaluate: options.evaluate });
  run.logMetric("champion_score", championScore);
  run.logMetric("challenger_score", challengerScore);
  run.logMetric("promoted", promoted ? 1 : 0);
  await run.end();
  return {
    name,
    alias,
    metric,
    champion: { version: champion.version ?? "", score: championScore },
    challenger: { runId: challenger.runId!, score: challengerScore, ...(version ? { version } : {}) },
    promoted,
    reason,
    runId: run.id,
    ...(reproduced ? { reproduced } : {}),
  };
}
