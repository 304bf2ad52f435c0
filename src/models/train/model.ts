/**
 * @module models/train/model
 * The trained models the built-in trainers produce: plain JSON data (number arrays, strings, no class
 * instances), so a model round-trips through `JSON.stringify`/`JSON.parse` unchanged and maps onto the
 * ONNX ML operators (TreeEnsembleClassifier/Regressor, LinearClassifier/Regressor) one to one.
 *
 * Inference semantics are defined once, in `predict.ts`; read its module header before exporting.
 */

/** What a model predicts: class labels (with probabilities) or real values. */
export type Task = "classification" | "regression";

/**
 * How raw scores become outputs:
 * - `none`: the scores are the outputs (class probabilities for a forest, regression values);
 * - `softmax`: one score per class → probabilities by softmax (multiclass boosting, multinomial
 *   logistic regression);
 * - `logistic`: one score for a binary problem → `p = 1 / (1 + exp(-score))`, probabilities
 *   `[1 - p, p]` for `[classes[0], classes[1]]`.
 */
export type PostTransform = "none" | "softmax" | "logistic";

/** A class label as it appeared in the target column: a string, or a number when all labels were numeric. */
export type ClassLabel = string | number;

/**
 * One binary tree in parallel arrays, indexed by node id; node 0 is the root.
 *
 * A node `i` is a leaf when `left[i] === -1` (then `right[i] === -1`, `feature[i] === -1` and
 * `threshold[i] === 0`). An internal node sends a row to `left[i]` when
 * `x[feature[i]] <= threshold[i]` and to `right[i]` otherwise: scikit-learn's rule and ONNX's
 * `BRANCH_LEQ`. A NaN feature value goes right (the comparison is false).
 *
 * Thresholds are float64 (midpoints between two training values). A consumer that compares float32
 * features against float32 thresholds (ONNX `nodes_values`) keeps the same decisions for every
 * float32 input by storing the largest float32 not above each threshold (rounding down, not to
 * nearest): no float32 lies between that value and the float64 threshold.
 */
export interface TreeNodes {
  feature: number[];
  threshold: number[];
  left: number[];
  right: number[];
  /**
   * Per node, one value per output of the ensemble (`values[i].length` is the number of outputs for
   * every node). Only leaves are read at inference; internal nodes keep the value they would have
   * had as a leaf (useful for inspection). For a classification forest a leaf holds class
   * probabilities (they sum to 1); for boosting it holds additive raw scores, already multiplied by
   * the learning rate. A multiclass boosting model grows one tree per class and iteration (tree `t`
   * scores class `t mod K`), so only that entry is non-zero; for regression it is `[value]`.
   */
  values: number[][];
}

/** Trees whose leaf values are combined into one score (or probability) vector per row. */
export interface TreeEnsembleModel {
  kind: "tree_ensemble";
  task: Task;
  /** Input columns in order; a row has exactly `featureNames.length` values. */
  featureNames: string[];
  /** Class labels in output order (sorted like `np.unique`); present for classification. */
  classes?: ClassLabel[];
  trees: TreeNodes[];
  /** `average`: mean of the trees' leaf vectors (forest); `sum`: their sum (boosting). */
  aggregate: "average" | "sum";
  /** Added per output after aggregation (the boosting baseline); zeros for a forest. */
  baseValues: number[];
  postTransform: PostTransform;
}

/** A linear model with standardisation already folded into the coefficients. */
export interface LinearModel {
  kind: "linear";
  task: Task;
  featureNames: string[];
  classes?: ClassLabel[];
  /** Outputs × features: one row per class (multiclass), one row (binary or regression). */
  coefficients: number[][];
  /** One per output. */
  intercepts: number[];
  postTransform: PostTransform;
}

/** Any model the built-in trainers produce. */
export type TrainedModel = TreeEnsembleModel | LinearModel;

/** What `predict` returns: labels and probabilities for classification, values for regression. */
export interface Prediction {
  /** Predicted class per row (the most probable; the first class wins a tie). */
  labels?: ClassLabel[];
  /** Per row, one probability per class, in `classes` order. */
  probabilities?: number[][];
  /** Per row, the predicted value (regression). */
  values?: number[];
}

/**
 * Called as training advances: `done` of `total` steps (trees for a forest, iterations for boosting,
 * one step for the others). For a progress bar; it must not throw.
 */
export type ProgressCallback = (done: number, total: number) => void;

/** Number of outputs (scores) per row before the post-transform. */
export function outputCount(model: TrainedModel): number {
  return model.kind === "linear" ? model.intercepts.length : model.baseValues.length;
}
