/**
 * @module monitoring/detect-prediction
 * Drift of a model's outputs: χ² on predicted labels, KS on scores (Alibi's ChiSquareDrift and
 * KSDrift on the prediction column).
 */
import { invalidParameter } from "../core/errors.js";
import { prepareColumn, runColumn } from "./detect.js";
import { type ColumnDrift, checkPVal } from "./report.js";
import type { TableColumn } from "./table.js";

export type PredictionKind = "labels" | "scores";
export type Prediction = number | string | boolean | null;

/** Labels when every prediction is a string, a boolean, or an integer with at most 20 distinct values. */
export function inferPredictionKind(values: readonly Prediction[]): PredictionKind {
  const distinct = new Set<number>();
  for (const value of values) {
    if (value === null) continue;
    if (typeof value !== "number") return "labels";
    if (!Number.isInteger(value)) return "scores";
    distinct.add(value);
  }
  return distinct.size <= 20 ? "labels" : "scores";
}

function column(values: readonly Prediction[], kind: PredictionKind, which: string): TableColumn {
  if (kind === "labels")
    return {
      name: "prediction",
      kind: "categorical",
      values: values.map((value) => (value === null ? null : String(value))),
    };
  return {
    name: "prediction",
    kind: "numeric",
    values: Float64Array.from(values, (value) => {
      if (value === null) return Number.NaN;
      if (typeof value !== "number")
        throw invalidParameter(`The ${which} predictions hold '${String(value)}', not a score; use kind "labels".`);
      return value;
    }),
  };
}

/** Tests the current predictions against the reference ones; `kind` is inferred when absent. */
export function detectPredictionDrift(
  reference: readonly Prediction[],
  current: readonly Prediction[],
  options: { kind?: PredictionKind; pVal?: number } = {},
): ColumnDrift {
  const pVal = options.pVal ?? 0.05;
  checkPVal(pVal);
  const kind = options.kind ?? inferPredictionKind([...reference, ...current]);
  const test = kind === "scores" ? "ks" : "chi2";
  const prepared = prepareColumn(column(reference, kind, "reference"), test, kind === "labels");
  const outcome = runColumn(prepared, column(current, kind, "current"), test);
  return {
    column: "prediction",
    type: outcome.type,
    test: outcome.test,
    statistic: outcome.statistic,
    p_value: outcome.pValue,
    threshold: pVal,
    drift: outcome.pValue! < pVal,
    reference_count: outcome.referenceCount,
    current_count: outcome.currentCount,
  };
}
