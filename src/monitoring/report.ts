/**
 * @module monitoring/report
 * The shape every drift detector returns: one row per tested column (or one row for a multivariate
 * test) and the dataset verdict by share of drifted columns (Evidently's `drift_share`).
 */
import { invalidParameter } from "../core/errors.js";
import type { Correction } from "./correction.js";
import type { DriftTestName } from "./test-names.js";

export interface ColumnDrift {
  column: string;
  type: "numeric" | "categorical";
  test: DriftTestName;
  statistic: number;
  /** null for distance tests, whose score is the statistic itself. */
  p_value: number | null;
  /** p-value tests: the corrected significance level; distance tests: the distance threshold. */
  threshold: number;
  drift: boolean;
  reference_count: number;
  current_count: number;
}

export interface DriftReport {
  columns: ColumnDrift[];
  correction: Correction;
  p_val: number;
  drift_share: number;
  number_of_columns: number;
  number_of_drifted_columns: number;
  share_of_drifted_columns: number;
  dataset_drift: boolean;
  /** Extra outputs of the multivariate MMD test. */
  mmd?: { sigma: number; distance_threshold: number; permutations: number; subsampled: boolean };
}

/** Builds the report around per-column results: drifted share ≥ driftShare means dataset drift. */
export function summarise(
  columns: ColumnDrift[],
  settings: { correction: Correction; pVal: number; driftShare: number },
): DriftReport {
  const drifted = columns.filter((column) => column.drift).length;
  const share = columns.length === 0 ? 0 : drifted / columns.length;
  return {
    columns,
    correction: settings.correction,
    p_val: settings.pVal,
    drift_share: settings.driftShare,
    number_of_columns: columns.length,
    number_of_drifted_columns: drifted,
    share_of_drifted_columns: share,
    dataset_drift: columns.length > 0 && share >= settings.driftShare,
  };
}

export function checkPVal(pVal: number): void {
  if (!(pVal > 0 && pVal < 1))
    throw invalidParameter(`p-value threshold must be in (0, 1), got ${pVal}; e.g. --p-val 0.05.`);
}

export function checkShare(driftShare: number): void {
  if (!(driftShare > 0 && driftShare <= 1))
    throw invalidParameter(`drift share must be in (0, 1], got ${driftShare}; e.g. --drift-share 0.5.`);
}
