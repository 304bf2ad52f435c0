/**
 * @module models/train/predict
 * The reference inference for trained models; an exported ONNX graph must give the same answers.
 *
 * Exact semantics, row by row (all arithmetic in float64):
 *
 * Tree ensembles (`kind: "tree_ensemble"`), with K = `baseValues.length` outputs:
 * 1. In every tree, walk from node 0: at an internal node go to `left` when
 *    `x[feature] <= threshold`, else to `right` (NaN goes right); stop at a leaf (`left === -1`).
 * 2. Aggregate the reached leaves' `values` vectors (length K) element-wise: their sum
 *    (`aggregate: "sum"`) or their mean (`"average"`, the sum divided by the number of trees).
 * 3. Add `baseValues` element-wise: `score[k] = aggregate[k] + baseValues[k]`.
 *
 * Linear models (`kind: "linear"`), with K = `intercepts.length` outputs:
 *    `score[k] = intercepts[k] + Σ_j coefficients[k][j] · x[j]`.
 *
 * Then the post-transform turns scores into outputs:
 * - regression (`postTransform: "none"`, K = 1): `values[row] = score[0]`;
 * - classification, `none` (random forest, decision tree): the scores are the class
 *   probabilities as they are (the mean of the leaves' class-frequency vectors), K = number of classes;
 * - classification, `softmax` (multiclass boosting, multinomial logistic regression):
 *   `p[k] = exp(score[k] - max) / Σ exp(score[j] - max)`;
 * - classification, `logistic` (binary, K = 1): `p = 1 / (1 + exp(-score[0]))`, probabilities
 *   `[1 - p, p]` for `[classes[0], classes[1]]`.
 *
 * The label is `classes[argmax p]`, the first class winning a tie (numpy's argmax). In the binary
 * logistic case that means `classes[1]` exactly when `p > 0.5`, i.e. when `score[0] > 0`.
 */
import { invalidParameter } from "../../core/errors.js";
import type { ClassLabel, LinearModel, Prediction, TrainedModel, TreeEnsembleModel, TreeNodes } from "./model.js";

/** Rows to predict on: arrays of numbers, one value per feature in `featureNames` order. */
export type Rows = readonly (Float64Array | readonly number[])[];

/** Index of the leaf a row reaches in one tree. */
export function findLeaf(tree: TreeNodes, row: Float64Array | readonly number[]): number {
  const { feature, threshold, left, right } = tree;
  let node = 0;
  while (left[node]! !== -1) {
    node = (row[feature[node]!] as number) <= threshold[node]! ? left[node]! : right[node]!;
  }
  return node;
}

/** Raw scores (before the post-transform) for one row. */
export function rawScores(model: TrainedModel, row: Float64Array | readonly number[]): Float64Array {
  return model.kind === "linear" ? linearScores(model, row) : ensembleScores(model, row);
}

function ensembleScores(model: TreeEnsembleModel, row: Float64Array | readonly number[]): Float64Array {
  const outputs = model.baseValues.length;
  const score = new Float64Array(outputs);
  for (const tree of model.trees) {
    const leaf = tree.values[findLeaf(tree, row)]!;
    for (let k = 0; k < outputs; k++) score[k]! += leaf[k]!;
  }
  if (model.aggregate === "average" && model.trees.length > 0) {
    for (let k = 0; k < outputs; k++) score[k]! /= model.trees.length;
  }
  for (let k = 0; k < outputs; k++) score[k]! += model.baseValues[k]!;
  return score;
}

function linearScores(model: LinearModel, row: Float64Array | readonly number[]): Float64Array {
  const outputs = model.intercepts.length;
  const score = new Float64Array(outputs);
  for (let k = 0; k < outputs; k++) {
    const weights = model.coefficients[k]!;
    let sum = model.intercepts[k]!;
    for (let j = 0; j < weights.length; j++) sum += weights[j]! * (row[j] as number);
    score[k] = sum;
  }
  return score;
}

/** Applies the post-transform to raw scores, giving class probabilities. */
export function scoresToProbabilities(scores: Float64Array, postTransform: TrainedModel["postTransform"]): number[] {
  if (postTransform === "logistic") {
    const p = 1 / (1 + Math.exp(-scores[0]!));
    return [1 - p, p];
  }
  if (postTransform === "softmax") {
    let max = Number.NEGATIVE_INFINITY;
    for (const s of scores) if (s > max) max = s;
    let total = 0;
    const out = new Array<number>(scores.length);
    for (let k = 0; k < scores.length; k++) {
      const e = Math.exp(scores[k]! - max);
      out[k] = e;
      total += e;
    }
    for (let k = 0; k < out.length; k++) out[k]! /= total;
    return out;
  }
  return Array.from(scores);
}

/** Index of the largest value; the first wins a tie. */
export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let k = 1; k < values.length; k++) if (values[k]! > values[best]!) best = k;
  return best;
}

/**
 * Predicts labels and probabilities (classification) or values (regression) for rows.
 *
 * @example
 * const { labels, probabilities } = predict(model, [[5.1, 3.5, 1.4, 0.2]]);
 */
export function predict(model: TrainedModel, rows: Rows): Prediction {
  const width = model.featureNames.length;
  for (let r = 0; r < rows.length; r++) {
    if (rows[r]!.length !== width) {
      throw invalidParameter(
        `Row ${r} has ${rows[r]!.length} values but the model takes ${width} features (${model.featureNames.join(", ")}); send one value per feature in that order.`,
      );
    }
  }
  if (model.task === "regression") {
    return { values: rows.map((row) => rawScores(model, row)[0]!) };
  }
  const classes: ClassLabel[] = model.classes ?? [];
  const probabilities = rows.map((row) => scoresToProbabilities(rawScores(model, row), model.postTransform));
  const labels = probabilities.map((p) => classes[argmax(p)]!);
  return { labels, probabilities };
}
