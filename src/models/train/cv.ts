/**
 * @module models/train/cv
 * Cross-validation: seeded k-fold splits (stratified for classification, so every fold keeps the
 * class proportions) and a helper that trains and scores one model per fold.
 */
import { invalidParameter } from "../../core/errors.js";
import { type Dataset, encodeLabels, subset } from "./dataset.js";
import { accuracy, r2Score } from "./metrics.js";
import type { Task } from "./model.js";
import { checkInteger } from "./params.js";
import { predict } from "./predict.js";
import { Random } from "./random.js";
import { type Algorithm, resolveTask, type TrainOptions, train } from "./train.js";

/** One fold: the rows to train on and the rows to test on (indices, ascending). */
export interface Fold {
  train: number[];
  test: number[];
}

/** Options for splitting. */
export interface FoldOptions {
  /** Number of folds, ≥ 2; default 5. */
  n_splits?: number;
  /** Shuffle before splitting; default true. */
  shuffle?: boolean;
  /** Seed of the shuffle; default 0. */
  random_state?: number;
}

/** Options of {@link crossValidate}: how to split, or the folds themselves. */
export interface CrossValidateOptions extends FoldOptions {
  /** Use these folds (test-row indices per fold) instead of drawing them, e.g. to match another tool's split. */
  test_folds?: readonly (readonly number[])[];
}

function resolveFolds(rows: number, options: FoldOptions): { k: number; shuffle: boolean; rng: Random } {
  const k = checkInteger("n_splits", options.n_splits ?? 5, 2);
  if (k > rows)
    throw invalidParameter(`Invalid n_splits=${k}: there are only ${rows} rows; use at most ${rows} folds.`);
  return {
    k,
    shuffle: options.shuffle ?? true,
    rng: new Random(checkInteger("random_state", options.random_state ?? 0, 0, 4294967295)),
  };
}

function toFolds(assignment: Int32Array, k: number): Fold[] {
  const folds: Fold[] = Array.from({ length: k }, () => ({ train: [], test: [] }));
  for (let i = 0; i < assignment.length; i++) {
    for (let f = 0; f < k; f++) {
      if (assignment[i] === f) folds[f]!.test.push(i);
      else folds[f]!.train.push(i);
    }
  }
  return folds;
}

/** K-fold splits of `rows` rows: fold sizes differ by at most one, the first folds take the extras. */
export function kFold(rows: number, options: FoldOptions = {}): Fold[] {
  const { k, shuffle, rng } = resolveFolds(rows, options);
  const order = Int32Array.from({ length: rows }, (_, i) => i);
  if (shuffle) rng.shuffle(order);
  const assignment = new Int32Array(rows);
  let position = 0;
  for (let f = 0; f < k; f++) {
    const size = Math.floor(rows / k) + (f < rows % k ? 1 : 0);
    for (let t = 0; t < size; t++) assignment[order[position++]!] = f;
  }
  return toFolds(assignment, k);
}

/**
 * Stratified k-fold: each class's rows (shuffled when asked) are dealt to the folds in turn, the turn
 * carrying over from one class to the next, so folds keep class proportions and sizes within one.
 */
export function stratifiedKFold(labels: readonly (string | number)[], options: FoldOptions = {}): Fold[] {
  const { k, shuffle, rng } = resolveFolds(labels.length, options);
  const { classes, y } = encodeLabels(labels);
  const assignment = new Int32Array(labels.length);
  let turn = 0;
  for (let c = 0; c < classes.length; c++) {
    const members: number[] = [];
    for (let i = 0; i < y.length; i++) if (y[i] === c) members.push(i);
    if (shuffle) rng.shuffle(members);
    for (const i of members) {
      assignment[i] = turn;
      turn = (turn + 1) % k;
    }
  }
  return toFolds(assignment, k);
}

/** Folds from the test rows of each fold; each fold trains on every other row. */
export function foldsFromTestRows(rows: number, tests: readonly (readonly number[])[]): Fold[] {
  const assignment = new Int32Array(rows).fill(-1);
  tests.forEach((test, f) => {
    for (const i of test) {
      if (!Number.isInteger(i) || i < 0 || i >= rows || assignment[i] !== -1) {
        throw invalidParameter(
          `test_folds: fold ${f} lists row ${i}, which is out of range [0, ${rows - 1}] or already in another fold; every row must be in at most one test fold.`,
        );
      }
      assignment[i] = f;
    }
  });
  return tests.map((test, f) => ({
    test: [...test].sort((a, b) => a - b),
    train: Array.from(assignment.keys()).filter((i) => assignment[i] !== f),
  }));
}

/** Scores of a cross-validation: accuracy (classification) or R² (regression) per fold. */
export interface CrossValidationResult {
  task: Task;
  metric: "accuracy" | "r2";
  scores: number[];
  mean: number;
}

/**
 * Trains `algo` on each fold's training rows and scores it on the fold's test rows: stratified
 * folds and accuracy for classification, plain k-fold and R² for regression.
 *
 * @example
 * const { mean } = crossValidate("rf", iris, { n_estimators: 100 }, { n_splits: 5, random_state: 0 });
 */
export function crossValidate(
  algo: Algorithm,
  data: Dataset,
  options: TrainOptions = {},
  folds: CrossValidateOptions = {},
): CrossValidationResult {
  const task = resolveTask(algo, data, options.task);
  const { test_folds: testFolds, ...foldOptions } = folds;
  const splits =
    testFolds !== undefined
      ? foldsFromTestRows(data.rows.length, testFolds)
      : task === "classification"
        ? stratifiedKFold(data.target, foldOptions)
        : kFold(data.rows.length, foldOptions);
  const scores = splits.map((fold) => {
    const model = train(algo, subset(data, fold.train), { ...options, task });
    const test = subset(data, fold.test);
    const prediction = predict(model, test.rows);
    return task === "classification"
      ? accuracy(test.target, prediction.labels!)
      : r2Score(test.target as number[], prediction.values!);
  });
  const mean = scores.reduce((a, b) => a + b, 0) / scores.length;
  return { task, metric: task === "classification" ? "accuracy" : "r2", scores, mean };
}
