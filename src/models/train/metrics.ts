/**
 * @module models/train/metrics
 * Evaluation metrics with scikit-learn's definitions: accuracy, precision/recall/F1 (macro and
 * weighted averages, 0 where a class is never predicted or never present), log loss (probabilities
 * clipped to [1e-15, 1 − 1e-15]), ROC-AUC (binary, and one-vs-rest macro for multiclass, ties
 * counted half), the confusion matrix; MAE, RMSE and R² for regression.
 */
import { invalidParameter } from "../../core/errors.js";
import { uniqueSorted } from "./dataset.js";
import type { ClassLabel } from "./model.js";

function checkLengths(a: { length: number }, b: { length: number }, what: string): void {
  if (a.length !== b.length) {
    throw invalidParameter(
      `${what}: ${a.length} true values but ${b.length} predictions; pass one prediction per row.`,
    );
  }
  if (a.length === 0) throw invalidParameter(`${what}: no rows to score; pass at least one.`);
}

/** Fraction of rows predicted right. */
export function accuracy(yTrue: readonly ClassLabel[], yPred: readonly ClassLabel[]): number {
  checkLengths(yTrue, yPred, "accuracy");
  let right = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === yPred[i]) right++;
  return right / yTrue.length;
}

/** A confusion matrix: `matrix[i][j]` counts rows of true class `labels[i]` predicted as `labels[j]`. */
export interface ConfusionMatrix {
  labels: ClassLabel[];
  matrix: number[][];
}

/** Counts true × predicted classes; labels default to the sorted union of both. */
export function confusionMatrix(
  yTrue: readonly ClassLabel[],
  yPred: readonly ClassLabel[],
  labels: readonly ClassLabel[] = uniqueSorted([...yTrue, ...yPred]),
): ConfusionMatrix {
  checkLengths(yTrue, yPred, "confusion matrix");
  const index = new Map<ClassLabel, number>(labels.map((label, k) => [label, k]));
  const matrix = labels.map(() => new Array<number>(labels.length).fill(0));
  for (let i = 0; i < yTrue.length; i++) {
    const t = index.get(yTrue[i]!);
    const p = index.get(yPred[i]!);
    if (t !== undefined && p !== undefined) matrix[t]![p]!++;
  }
  return { labels: [...labels], matrix };
}

/** Precision, recall and F1, averaged over classes. */
export interface ClassificationScores {
  precision: number;
  recall: number;
  f1: number;
}

/**
 * Precision, recall and F1 per class, averaged: `macro` (unweighted mean over classes) or `weighted`
 * (mean weighted by each class's true count). A class with no predicted (or no true) rows scores 0.
 */
export function precisionRecallF1(
  yTrue: readonly ClassLabel[],
  yPred: readonly ClassLabel[],
  average: "macro" | "weighted" = "macro",
): ClassificationScores {
  const { matrix } = confusionMatrix(yTrue, yPred);
  const k = matrix.length;
  let precision = 0;
  let recall = 0;
  let f1 = 0;
  let totalWeight = 0;
  for (let c = 0; c < k; c++) {
    const tp = matrix[c]![c]!;
    let predicted = 0;
    let actual = 0;
    for (let j = 0; j < k; j++) {
      predicted += matrix[j]![c]!;
      actual += matrix[c]![j]!;
    }
    const p = predicted > 0 ? tp / predicted : 0;
    const r = actual > 0 ? tp / actual : 0;
    const f = p + r > 0 ? (2 * p * r) / (p + r) : 0;
    const weight = average === "macro" ? 1 : actual;
    precision += weight * p;
    recall += weight * r;
    f1 += weight * f;
    totalWeight += weight;
  }
  return { precision: precision / totalWeight, recall: recall / totalWeight, f1: f1 / totalWeight };
}

/**
 * Mean cross-entropy of the true class; `probabilities[i]` lists one probability per class in
 * `classes` order. Rows are clipped to [1e-15, 1 − 1e-15] and renormalised.
 */
export function logLoss(
  yTrue: readonly ClassLabel[],
  probabilities: readonly (readonly number[])[],
  classes: readonly ClassLabel[],
): number {
  checkLengths(yTrue, probabilities, "log loss");
  const index = new Map<ClassLabel, number>(classes.map((label, k) => [label, k]));
  const eps = 1e-15;
  let total = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const k = index.get(yTrue[i]!);
    if (k === undefined) {
      throw invalidParameter(`log loss: row ${i} has label ${String(yTrue[i])}, which is not one of the classes.`);
    }
    const row = probabilities[i]!;
    let sum = 0;
    for (const p of row) sum += Math.min(Math.max(p, eps), 1 - eps);
    total -= Math.log(Math.min(Math.max(row[k]!, eps), 1 - eps) / sum);
  }
  return total / yTrue.length;
}

/** Area under the ROC curve for binary truths (1 = positive) and scores; ties count half. */
function binaryAuc(positive: readonly boolean[], scores: readonly number[]): number {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let rankSum = 0;
  let positives = 0;
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]!] === scores[order[i]!]) j++;
    const averageRank = (i + j) / 2 + 1;
    for (let t = i; t <= j; t++) {
      if (positive[order[t]!]) {
        rankSum += averageRank;
        positives++;
      }
    }
    i = j + 1;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) {
    throw invalidParameter("ROC-AUC needs both positive and negative rows; this sample has only one class.");
  }
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/**
 * ROC-AUC from class probabilities (`probabilities[i][k]` for `classes[k]`): for two classes the AUC
 * of `classes[1]`'s probability, otherwise the unweighted mean of one-vs-rest AUCs.
 */
export function rocAuc(
  yTrue: readonly ClassLabel[],
  probabilities: readonly (readonly number[])[],
  classes: readonly ClassLabel[],
): number {
  checkLengths(yTrue, probabilities, "ROC-AUC");
  if (classes.length < 2) throw invalidParameter("ROC-AUC needs at least two classes.");
  if (classes.length === 2) {
    return binaryAuc(
      yTrue.map((label) => label === classes[1]),
      probabilities.map((row) => row[1]!),
    );
  }
  let total = 0;
  for (let k = 0; k < classes.length; k++) {
    total += binaryAuc(
      yTrue.map((label) => label === classes[k]),
      probabilities.map((row) => row[k]!),
    );
  }
  return total / classes.length;
}

/** Mean absolute error. */
export function meanAbsoluteError(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  checkLengths(yTrue, yPred, "mean absolute error");
  let total = 0;
  for (let i = 0; i < yTrue.length; i++) total += Math.abs(yTrue[i]! - yPred[i]!);
  return total / yTrue.length;
}

/** Root mean squared error. */
export function rootMeanSquaredError(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  checkLengths(yTrue, yPred, "root mean squared error");
  let total = 0;
  for (let i = 0; i < yTrue.length; i++) total += (yTrue[i]! - yPred[i]!) ** 2;
  return Math.sqrt(total / yTrue.length);
}

/** Coefficient of determination: 1 − SS_res / SS_tot (1 for a perfect fit, 0 when SS_tot is 0 and the fit is not). */
export function r2Score(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  checkLengths(yTrue, yPred, "R²");
  let mean = 0;
  for (let i = 0; i < yTrue.length; i++) mean += yTrue[i]!;
  mean /= yTrue.length;
  let residual = 0;
  let total = 0;
  for (let i = 0; i < yTrue.length; i++) {
    residual += (yTrue[i]! - yPred[i]!) ** 2;
    total += (yTrue[i]! - mean) ** 2;
  }
  if (total === 0) return residual === 0 ? 1 : 0;
  return 1 - residual / total;
}
