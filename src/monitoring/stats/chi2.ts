/**
 * @module monitoring/stats/chi2
 * Pearson's χ² for drift on categories (reference/monitoring.md §3.2): the contingency form Alibi
 * Detect uses (`chi2_contingency` on [reference counts; current counts], Yates' correction when
 * dof = 1) and Evidently's goodness-of-fit form (current counts against reference shares).
 */
import { invalidParameter } from "../../core/errors.js";
import { type CategoricalInput, countCategories } from "./categories.js";
import { requireNonEmpty } from "./sample.js";
import { chiSquareSf } from "./special.js";

export interface ChiSquareResult {
  statistic: number;
  pValue: number;
  dof: number;
  /** The table tested: one row per sample, one column per category. */
  table: number[][];
  categories: (string | number | boolean)[];
}

/**
 * χ² test of independence on an r×c table of counts, as scipy's `chi2_contingency`: with
 * `correction` (default) and one degree of freedom, each |O − E| shrinks by min(0.5, |O − E|).
 * A table with a single row or column has dof 0: statistic 0, p-value 1.
 */
export function chi2Contingency(
  table: readonly (readonly number[])[],
  options: { correction?: boolean } = {},
): { statistic: number; pValue: number; dof: number } {
  const rows = table.length;
  const cols = table[0]?.length ?? 0;
  if (rows === 0 || cols === 0) throw invalidParameter("The contingency table is empty; give at least one count.");
  const rowSums = table.map((row) => {
    if (row.length !== cols) throw invalidParameter("Every row of the contingency table needs the same columns.");
    return row.reduce((sum, value) => sum + value, 0);
  });
  const colSums = Array.from({ length: cols }, (_, j) => table.reduce((sum, row) => sum + row[j]!, 0));
  const total = rowSums.reduce((sum, value) => sum + value, 0);
  const dof = (rows - 1) * (cols - 1);
  if (dof === 0) return { statistic: 0, pValue: 1, dof };
  const yates = (options.correction ?? true) && dof === 1;
  let statistic = 0;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const expected = (rowSums[i]! * colSums[j]!) / total;
      if (expected === 0)
        throw invalidParameter(
          "A category has no observations in either sample (expected count 0); drop empty categories.",
        );
      let diff = Math.abs(table[i]![j]! - expected);
      if (yates) diff -= Math.min(0.5, diff);
      statistic += (diff * diff) / expected;
    }
  }
  return { statistic, pValue: chiSquareSf(statistic, dof), dof };
}

/** Alibi Detect's ChiSquareDrift for one feature: contingency χ² over the union of categories. */
export function chiSquareTwoSample(
  reference: CategoricalInput,
  current: CategoricalInput,
  options: { correction?: boolean } = {},
): ChiSquareResult {
  const counts = countCategories(reference, current);
  requireNonEmpty({ length: counts.referenceTotal }, "The reference sample", "the χ² test");
  requireNonEmpty({ length: counts.currentTotal }, "The current sample", "the χ² test");
  const table = [counts.reference, counts.current];
  return { ...chi2Contingency(table, options), table, categories: counts.categories };
}

/**
 * Evidently's `chisquare` drift test: goodness of fit of the current counts to the reference shares
 * (expected = reference count · n_current / n_reference), dof = categories − 1. A category absent
 * from the reference but present now gives an infinite statistic and p-value 0.
 */
export function chiSquareGoodnessOfFit(reference: CategoricalInput, current: CategoricalInput): ChiSquareResult {
  const counts = countCategories(reference, current);
  requireNonEmpty({ length: counts.referenceTotal }, "The reference sample", "the χ² test");
  requireNonEmpty({ length: counts.currentTotal }, "The current sample", "the χ² test");
  const scale = counts.currentTotal / counts.referenceTotal;
  let statistic = 0;
  for (let k = 0; k < counts.categories.length; k++) {
    const observed = counts.current[k]!;
    const expected = counts.reference[k]! * scale;
    const diff = observed - expected;
    statistic += expected === 0 ? (diff === 0 ? 0 : Number.POSITIVE_INFINITY) : (diff * diff) / expected;
  }
  const dof = counts.categories.length - 1;
  const pValue = dof === 0 ? 1 : chiSquareSf(statistic, dof);
  return { statistic, pValue, dof, table: [counts.reference, counts.current], categories: counts.categories };
}
