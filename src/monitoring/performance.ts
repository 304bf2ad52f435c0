/**
 * @module monitoring/performance
 * Model performance on the labelled rows of a window: accuracy and macro F1 for a classifier (as
 * scikit-learn's `accuracy_score` and `f1_score(average="macro")` over the classes seen in labels or
 * predictions), MAE and RMSE for a regressor. Rows without a label or prediction are left out.
 */
import type { Prediction } from "./detect-prediction.js";

export type Task = "classification" | "regression";

export interface Performance {
  readonly labelled: number;
  readonly accuracy?: number;
  readonly f1_macro?: number;
  readonly mae?: number;
  readonly rmse?: number;
}

/** Scores `predictions` against `labels` (null where unknown); null when no row has both. */
export function scorePredictions(
  predictions: readonly Prediction[],
  labels: readonly Prediction[],
  task: Task,
): Performance | null {
  const pairs: [Prediction, Prediction][] = [];
  for (let i = 0; i < labels.length; i++)
    if (labels[i] !== null && labels[i] !== undefined && predictions[i] !== null && predictions[i] !== undefined)
      pairs.push([predictions[i]!, labels[i]!]);
  if (pairs.length === 0) return null;
  if (task === "regression") {
    let absolute = 0;
    let squared = 0;
    for (const [predicted, truth] of pairs) {
      const error = Number(predicted) - Number(truth);
      absolute += Math.abs(error);
      squared += error * error;
    }
    return { labelled: pairs.length, mae: absolute / pairs.length, rmse: Math.sqrt(squared / pairs.length) };
  }
  const stats = new Map<string, { tp: number; fp: number; fn: number }>();
  const of = (key: string) => {
    let entry = stats.get(key);
    if (!entry) {
      entry = { tp: 0, fp: 0, fn: 0 };
      stats.set(key, entry);
    }
    return entry;
  };
  let correct = 0;
  for (const [predicted, truth] of pairs) {
    const p = String(predicted);
    const t = String(truth);
    if (p === t) {
      correct++;
      of(p).tp++;
    } else {
      of(p).fp++;
      of(t).fn++;
    }
  }
  let f1 = 0;
  for (const { tp, fp, fn } of stats.values()) f1 += tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
  return { labelled: pairs.length, accuracy: correct / pairs.length, f1_macro: f1 / stats.size };
}
