/**
 * @module monitoring/detect
 * Feature-wise drift over tables, following Alibi Detect's KSDrift / ChiSquareDrift / TabularDrift:
 * numeric columns get the chosen numeric test (KS by default), categorical columns — by type or
 * listed in `categorical` — get χ² unless the test handles categories itself (PSI, JS); p-values are
 * corrected across columns (Bonferroni by default, or FDR). The dataset verdict is Evidently's:
 * drifted columns / tested columns ≥ `driftShare` (0.5). Missing values are dropped per column
 * before testing; the counts used are reported.
 *
 * A detector built once on a reference keeps that reference's columns sorted, so each later check
 * of a current window sorts only the window (Alibi's detectors likewise hold `x_ref`).
 */
import { invalidParameter } from "../core/errors.js";
import { type Correction, correctPValues } from "./correction.js";
import { type ColumnDrift, checkPVal, checkShare, type DriftReport, summarise } from "./report.js";
import { sortedFinite } from "./stats/sample.js";
import type { Table, TableColumn } from "./table.js";
import { COLUMN_TESTS, type ColumnTestName, type ColumnTestOutcome } from "./tests.js";

export type { ColumnDrift, DriftReport } from "./report.js";

export interface FeatureDriftOptions {
  /** Test for numeric columns (default "ks"); categorical columns use χ² unless it handles categories. */
  test?: ColumnTestName;
  /** Columns to test (default: every column of the reference). */
  columns?: readonly string[];
  /** Columns to treat as categorical even when their values are numbers. */
  categorical?: readonly string[];
  /** Significance level before correction (default 0.05). */
  pVal?: number;
  correction?: Correction;
  /** Share of drifted columns at which the dataset counts as drifted (default 0.5). */
  driftShare?: number;
  /** Threshold of distance tests (default 0.1, Evidently's). */
  threshold?: number;
}

export interface FeatureDriftDetector {
  /** Tests `current` against the reference the detector was built on. */
  detect(current: Table): DriftReport;
}

/** A reference column prepared once: sorted numbers, or category values. */
type PreparedColumn =
  | { kind: "numeric"; column: TableColumn; sorted: Float64Array }
  | { kind: "categorical"; column: TableColumn; values: (string | null)[]; count: number };

function asCategories(column: TableColumn): (string | null)[] {
  if (column.kind === "categorical") return column.values;
  return Array.from(column.values, (value) => (Number.isNaN(value) ? null : String(value)));
}

function nonMissing(values: (string | null)[]): number {
  let count = 0;
  for (const value of values) if (value !== null && value !== "") count++;
  return count;
}

function requireValues(column: string, which: "reference" | "current", count: number): void {
  if (count === 0)
    throw invalidParameter(
      `Column '${column}' has no values in the ${which} data (all missing); fill it or leave it out with --columns.`,
    );
}

/** Decides how a reference column is tested and prepares it. */
export function prepareColumn(column: TableColumn, test: ColumnTestName, categorical: boolean): PreparedColumn {
  if (column.kind === "numeric" && !categorical && COLUMN_TESTS[test].numeric) {
    const sorted = sortedFinite(column.values);
    requireValues(column.name, "reference", sorted.length);
    return { kind: "numeric", column, sorted };
  }
  const values = asCategories(column);
  const count = nonMissing(values);
  requireValues(column.name, "reference", count);
  return { kind: "categorical", column, values, count };
}

export interface ColumnOutcome extends ColumnTestOutcome {
  column: string;
  type: "numeric" | "categorical";
  test: ColumnTestName;
  score: "p_value" | "distance";
  referenceCount: number;
  currentCount: number;
}

/** Runs the test on one prepared reference column against the matching current column. */
export function runColumn(reference: PreparedColumn, current: TableColumn, test: ColumnTestName): ColumnOutcome {
  const name = reference.column.name;
  if (reference.kind === "numeric") {
    if (current.kind !== "numeric")
      throw invalidParameter(
        `Column '${name}' is numeric in the reference but not in the current data; ` +
          `fix the values or pass --categorical ${name}.`,
      );
    const spec = COLUMN_TESTS[test];
    const sorted = sortedFinite(current.values);
    requireValues(name, "current", sorted.length);
    return {
      column: name,
      type: "numeric",
      test,
      score: spec.score,
      referenceCount: reference.sorted.length,
      currentCount: sorted.length,
      ...spec.numeric!(reference.sorted, sorted),
    };
  }
  const categoricalTest: ColumnTestName = COLUMN_TESTS[test].categorical ? test : "chi2";
  const spec = COLUMN_TESTS[categoricalTest];
  const values = asCategories(current);
  const currentCount = nonMissing(values);
  requireValues(name, "current", currentCount);
  return {
    column: name,
    type: "categorical",
    test: categoricalTest,
    score: spec.score,
    referenceCount: reference.count,
    currentCount,
    ...spec.categorical!(reference.values, values),
  };
}

/**
 * Builds a feature-wise detector on `reference`: options are checked and the reference columns
 * prepared once.
 */
export function createFeatureDriftDetector(reference: Table, options: FeatureDriftOptions = {}): FeatureDriftDetector {
  const test = options.test ?? "ks";
  if (!(test in COLUMN_TESTS))
    throw invalidParameter(`Unknown drift test '${test}'; use one of ${Object.keys(COLUMN_TESTS).join(", ")}, mmd.`);
  const pVal = options.pVal ?? 0.05;
  const correction = options.correction ?? "bonferroni";
  const driftShare = options.driftShare ?? 0.5;
  const distanceThreshold = options.threshold ?? 0.1;
  checkPVal(pVal);
  checkShare(driftShare);
  if (correction !== "bonferroni" && correction !== "fdr")
    throw invalidParameter(`Unknown correction '${correction}'; use bonferroni or fdr.`);
  if (!(distanceThreshold > 0)) throw invalidParameter(`The distance threshold must be > 0, got ${distanceThreshold}.`);
  const byName = new Map(reference.columns.map((column) => [column.name, column]));
  const categorical = new Set(options.categorical ?? []);
  for (const name of categorical)
    if (!byName.has(name))
      throw invalidParameter(`--categorical names '${name}', which is not a column of the reference data.`);
  const names = options.columns && options.columns.length > 0 ? options.columns : [...byName.keys()];
  if (names.length === 0) throw invalidParameter("The reference has no columns to test.");
  const prepared = names.map((name) => {
    const column = byName.get(name);
    if (column === undefined)
      throw invalidParameter(
        `Column '${name}' is not in the reference data; its columns are ${[...byName.keys()].join(", ")}.`,
      );
    return prepareColumn(column, test, categorical.has(name));
  });

  return {
    detect(current: Table): DriftReport {
      const currentColumns = new Map(current.columns.map((column) => [column.name, column]));
      const outcomes = prepared.map((reference) => {
        const column = currentColumns.get(reference.column.name);
        if (column === undefined)
          throw invalidParameter(
            `Column '${reference.column.name}' is in the reference but not in the current data; add it or leave it out with --columns.`,
          );
        return runColumn(reference, column, test);
      });
      const pValues = outcomes.filter((outcome) => outcome.score === "p_value").map((outcome) => outcome.pValue!);
      const corrected = correctPValues(pValues, pVal, correction);
      const columns: ColumnDrift[] = outcomes.map((outcome) => {
        const isP = outcome.score === "p_value";
        const threshold = isP ? corrected.threshold : distanceThreshold;
        return {
          column: outcome.column,
          type: outcome.type,
          test: outcome.test,
          statistic: outcome.statistic,
          p_value: isP ? outcome.pValue : null,
          threshold,
          drift: isP ? outcome.pValue! < threshold : outcome.statistic >= threshold,
          reference_count: outcome.referenceCount,
          current_count: outcome.currentCount,
        };
      });
      return summarise(columns, { correction, pVal, driftShare });
    },
  };
}

/** Feature-wise drift of `current` against `reference`, with a dataset verdict. */
export function detectFeatureDrift(reference: Table, current: Table, options: FeatureDriftOptions = {}): DriftReport {
  return createFeatureDriftDetector(reference, options).detect(current);
}
