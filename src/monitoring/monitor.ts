/**
 * @module monitoring/monitor
 * One monitoring evaluation: a window of logged predictions against the model's reference sample —
 * per-feature drift (KS on numeric features, χ² on categorical, Bonferroni-corrected, Evidently's
 * dataset verdict), prediction drift (predicted labels against the reference target), and accuracy/F1
 * or MAE/RMSE where feedback labels have arrived — flattened into the metric names the tracking run,
 * the alert rules and the `/metrics` gauges share.
 */
import { invalidParameter } from "../core/errors.js";
import type { Correction } from "./correction.js";
import { createFeatureDriftDetector } from "./detect.js";
import { detectPredictionDrift, inferPredictionKind, type Prediction } from "./detect-prediction.js";
import { type Performance, scorePredictions, type Task } from "./performance.js";
import type { ColumnDrift, DriftReport } from "./report.js";
import type { Table } from "./table.js";
import type { MonitoringWindow } from "./window.js";

/** The training sample a model is watched against: its features and its target. */
export interface MonitorReference {
  readonly features: Table;
  readonly featureNames: readonly string[];
  readonly targetName: string;
  readonly target: Prediction[];
  readonly task: Task;
}

/**
 * Splits a reference table (features then target, as `lathe train` logs `reference/train_sample.csv`)
 * into features and target; `target` defaults to the last column.
 */
export function splitReference(table: Table, target?: string): MonitorReference {
  const targetName = target ?? table.columns[table.columns.length - 1]?.name;
  const targetColumn = table.columns.find((column) => column.name === targetName);
  if (targetName === undefined || targetColumn === undefined)
    throw invalidParameter(
      `The reference has no column '${target ?? ""}' to use as the target; its columns are ${table.columns.map((c) => c.name).join(", ")}.`,
    );
  const columns = table.columns.filter((column) => column !== targetColumn);
  if (columns.length === 0)
    throw invalidParameter("The reference holds only the target column; it needs the feature columns too.");
  const targetValues: Prediction[] =
    targetColumn.kind === "categorical"
      ? targetColumn.values
      : Array.from(targetColumn.values, (value) => (Number.isNaN(value) ? null : value));
  return {
    features: { columns, rowCount: table.rowCount },
    featureNames: columns.map((column) => column.name),
    targetName,
    target: targetValues,
    task: inferPredictionKind(targetValues) === "labels" ? "classification" : "regression",
  };
}

export interface MonitorOptions {
  /** Significance level before correction (default 0.05). */
  readonly pVal?: number;
  readonly correction?: Correction;
  /** Share of drifted features that makes the window drifted (default 0.5). */
  readonly driftShare?: number;
}

/** What one window showed. */
export interface WindowResult {
  /** 0 for the first window of a watch, then 1, 2, ... (the metrics' step). */
  readonly index: number;
  readonly evaluatedAt: string;
  readonly start: string | null;
  readonly end: string | null;
  readonly rows: number;
  /** null for an empty window. */
  readonly drift: DriftReport | null;
  readonly predictionDrift: ColumnDrift | null;
  readonly performance: Performance | null;
  /** Flat metrics: `drift_p_value.<feature>`, `dataset_drift`, `accuracy`, ... */
  readonly metrics: Readonly<Record<string, number>>;
}

export interface Monitor {
  readonly reference: MonitorReference;
  evaluate(window: MonitoringWindow, index: number): WindowResult;
}

/** The `q`-quantile of sorted values (linear between the two nearest ranks, as numpy's default). */
function quantile(sorted: Float64Array, q: number): number {
  const at = (sorted.length - 1) * q;
  const below = Math.floor(at);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below]! + (sorted[above]! - sorted[below]!) * (at - below);
}

/** Requests, errors, error rate, throughput and latency percentiles of a window's prediction requests. */
function requestMetrics(window: MonitoringWindow): Record<string, number> {
  const metrics: Record<string, number> = { requests: window.requests, errors: window.errors };
  if (window.requests > 0) metrics.error_rate = window.errors / window.requests;
  if (window.seconds !== null && window.requests > 0) metrics.throughput_rps = window.requests / window.seconds;
  if (window.latenciesMs.length > 0) {
    const sorted = Float64Array.from(window.latenciesMs).sort();
    metrics.latency_p50_ms = quantile(sorted, 0.5);
    metrics.latency_p99_ms = quantile(sorted, 0.99);
  }
  return metrics;
}

/** Flattens a result into the metric names rules and runs use. */
function flatten(
  window: MonitoringWindow,
  drift: DriftReport | null,
  predictionDrift: ColumnDrift | null,
  performance: Performance | null,
): Record<string, number> {
  const metrics: Record<string, number> = { window_rows: window.rowCount, ...requestMetrics(window) };
  if (drift) {
    let lowest = 1;
    for (const column of drift.columns)
      if (column.p_value !== null) {
        metrics[`drift_p_value.${column.column}`] = column.p_value;
        lowest = Math.min(lowest, column.p_value);
      }
    metrics.drift_p_value = lowest;
    metrics.dataset_drift = drift.dataset_drift ? 1 : 0;
    metrics.share_of_drifted_columns = drift.share_of_drifted_columns;
  }
  if (predictionDrift?.p_value !== null && predictionDrift?.p_value !== undefined) {
    metrics.prediction_drift_p_value = predictionDrift.p_value;
    metrics.prediction_drift = predictionDrift.drift ? 1 : 0;
  }
  if (performance) {
    metrics.labelled_rows = performance.labelled;
    for (const key of ["accuracy", "f1_macro", "mae", "rmse"] as const)
      if (performance[key] !== undefined) metrics[key] = performance[key]!;
  }
  return metrics;
}

/** Builds a monitor on `reference`: the feature detector is prepared once and reused per window. */
export function createMonitor(reference: MonitorReference, options: MonitorOptions = {}): Monitor {
  const pVal = options.pVal ?? 0.05;
  const detector = createFeatureDriftDetector(reference.features, {
    pVal,
    correction: options.correction,
    driftShare: options.driftShare,
  });
  const kind = reference.task === "classification" ? "labels" : "scores";
  return {
    reference,
    evaluate(window, index) {
      const empty = window.rowCount === 0;
      const drift = empty ? null : detector.detect(window.features);
      const predicted = window.predictions.filter((value) => value !== null);
      const predictionDrift =
        predicted.length === 0 ? null : detectPredictionDrift(reference.target, predicted, { kind, pVal });
      const performance = scorePredictions(window.predictions, window.labels, reference.task);
      return {
        index,
        evaluatedAt: new Date().toISOString(),
        start: window.start,
        end: window.end,
        rows: window.rowCount,
        drift,
        predictionDrift,
        performance,
        metrics: flatten(window, drift, predictionDrift, performance),
      };
    },
  };
}

/** The body `POST /monitoring` takes, from one window's result. */
export function gaugesBody(result: WindowResult): Record<string, unknown> {
  const featurePValues: Record<string, number> = {};
  for (const column of result.drift?.columns ?? [])
    if (column.p_value !== null) featurePValues[column.column] = column.p_value;
  const m = result.metrics;
  return {
    feature_p_values: featurePValues,
    dataset_drift: result.drift?.dataset_drift ?? false,
    share_of_drifted_columns: m.share_of_drifted_columns,
    prediction_drift_p_value: m.prediction_drift_p_value,
    accuracy: m.accuracy,
    f1: m.f1_macro,
    mae: m.mae,
    rmse: m.rmse,
    window_rows: m.window_rows,
  };
}
