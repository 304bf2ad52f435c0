/**
 * @module models/train/train
 * The one entry point of the built-in trainers: `train(algo, data, options)` with scikit-learn's
 * parameter names. Each algorithm checks its own parameters; unknown names are refused.
 */
import { invalidParameter } from "../../core/errors.js";
import { type Dataset, inferTask } from "./dataset.js";
import { type ForestOptions, type TreeOptions, trainDecisionTree, trainRandomForest } from "./forest.js";
import { type HistGradientBoostingOptions, trainHistGradientBoosting } from "./hgb.js";
import { type LogisticOptions, type RidgeOptions, trainLogisticRegression, trainRidge } from "./linear.js";
import type { ProgressCallback, Task, TrainedModel } from "./model.js";
import { checkChoice } from "./params.js";

/** The built-in algorithms. */
export const ALGORITHMS = ["tree", "rf", "hgb", "logreg", "linear", "ridge"] as const;
export type Algorithm = (typeof ALGORITHMS)[number];

/** Options of `train`: the task (optional) and the chosen algorithm's parameters. */
export type TrainOptions = { task?: Task } & TreeOptions &
  ForestOptions &
  HistGradientBoostingOptions &
  LogisticOptions &
  RidgeOptions;

/** Tasks each algorithm can do. */
const TASKS: Record<Algorithm, readonly Task[]> = {
  tree: ["classification", "regression"],
  rf: ["classification", "regression"],
  hgb: ["classification", "regression"],
  logreg: ["classification"],
  linear: ["regression"],
  ridge: ["regression"],
};

/**
 * The task to train for: the explicit `task`, else the only one the algorithm does, else what the
 * target implies (string labels or few distinct integers → classification).
 */
export function resolveTask(algo: Algorithm, data: Dataset, task?: Task): Task {
  checkChoice("algo", algo, ALGORITHMS);
  const allowed = TASKS[algo];
  if (task !== undefined) {
    checkChoice("task", task, ["classification", "regression"] as const);
    if (!allowed.includes(task)) {
      throw invalidParameter(`Invalid task="${task}" for ${algo}: ${algo} does ${allowed.join(" and ")} only.`);
    }
    return task;
  }
  if (allowed.length === 1) return allowed[0]!;
  return inferTask(data.target);
}

function checkData(data: Dataset): void {
  if (data.rows.length === 0) throw invalidParameter("The dataset has no rows; train on at least one row.");
  if (data.rows.length !== data.target.length) {
    throw invalidParameter(
      `The dataset has ${data.rows.length} rows but ${data.target.length} target values; pass one target per row.`,
    );
  }
  const width = data.featureNames.length;
  for (let i = 0; i < data.rows.length; i++) {
    const row = data.rows[i]!;
    if (row.length !== width) {
      throw invalidParameter(`Row ${i} has ${row.length} values but there are ${width} features; fix the row.`);
    }
    for (let j = 0; j < width; j++) {
      if (!Number.isFinite(row[j]!)) {
        throw invalidParameter(
          `Row ${i}, feature "${data.featureNames[j]}" is ${row[j]}; fill or drop missing and infinite values before training.`,
        );
      }
    }
  }
}

/** Observers of a training run, kept apart from the algorithm's parameters. */
export interface TrainHooks {
  onProgress?: ProgressCallback;
}

/**
 * Trains a model.
 *
 * @example
 * const data = await readCsvDataset("iris.csv", { target: "species" });
 * const model = train("rf", data, { n_estimators: 100, random_state: 0 });
 */
export function train(
  algo: Algorithm,
  data: Dataset,
  options: TrainOptions = {},
  hooks: TrainHooks = {},
): TrainedModel {
  const { task: requested, ...params } = options;
  const task = resolveTask(algo, data, requested);
  checkData(data);
  const { onProgress } = hooks;
  switch (algo) {
    case "rf":
      return trainRandomForest(data, task, params, onProgress);
    case "hgb":
      return trainHistGradientBoosting(data, task, params, onProgress);
  }
  const model =
    algo === "tree"
      ? trainDecisionTree(data, task, params)
      : algo === "logreg"
        ? trainLogisticRegression(data, params)
        : trainRidge(data, params, algo);
  onProgress?.(1, 1);
  return model;
}
