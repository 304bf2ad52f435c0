/**
 * @module monitoring/stats/fisher
 * Fisher's exact test on a 2×2 table (scipy's `fisher_exact`) and the two-proportion z-test Evidently
 * uses for binary columns (reference/monitoring.md §3.9).
 */
import { invalidParameter } from "../../core/errors.js";
import { type CategoricalInput, countCategories } from "./categories.js";
import type { Alternative } from "./ks.js";
import { requireNonEmpty } from "./sample.js";
import { logBinomial, normalSf } from "./special.js";

export interface FisherResult {
  /** Sample odds ratio (a·d)/(b·c). */
  statistic: number;
  pValue: number;
}

/** Fisher's exact test on [[a, b], [c, d]]. */
export function fisherExact(
  table: readonly [readonly [number, number], readonly [number, number]],
  options: { alternative?: Alternative } = {},
): FisherResult {
  const [[a, b], [c, d]] = table;
  for (const value of [a, b, c, d])
    if (!Number.isInteger(value) || value < 0)
      throw invalidParameter("Fisher's exact test needs a 2×2 table of non-negative whole counts.");
  const statistic = b * c === 0 ? (a * d === 0 ? Number.NaN : Number.POSITIVE_INFINITY) : (a * d) / (b * c);
  const row1 = a + b;
  const col1 = a + c;
  const total = a + b + c + d;
  if (row1 === 0 || col1 === 0 || row1 === total || col1 === total) return { statistic, pValue: 1 };
  // a ~ hypergeometric(total, row1, col1) under the null.
  const low = Math.max(0, col1 - (total - row1));
  const high = Math.min(row1, col1);
  const logDenominator = logBinomial(total, col1);
  const pmf = (x: number) => Math.exp(logBinomial(row1, x) + logBinomial(total - row1, col1 - x) - logDenominator);
  const alternative = options.alternative ?? "two-sided";
  let pValue = 0;
  if (alternative === "greater") for (let x = a; x <= high; x++) pValue += pmf(x);
  else if (alternative === "less") for (let x = low; x <= a; x++) pValue += pmf(x);
  else {
    // Tables no more likely than the one observed, with scipy's relative tolerance for ties.
    const observed = pmf(a) * (1 + 1e-7);
    for (let x = low; x <= high; x++) {
      const p = pmf(x);
      if (p <= observed) pValue += p;
    }
  }
  return { statistic, pValue: Math.min(1, pValue) };
}

/**
 * Two-proportion z-test with pooled variance (Evidently's `z`): "success" is every value other than
 * the first category in sorted order. Two-sided p = 2·(1 − Φ(|z|)).
 */
export function proportionsZTest(reference: CategoricalInput, current: CategoricalInput): FisherResult {
  const counts = countCategories(reference, current);
  requireNonEmpty({ length: counts.referenceTotal }, "The reference sample", "the two-proportion z-test");
  requireNonEmpty({ length: counts.currentTotal }, "The current sample", "the two-proportion z-test");
  if (counts.categories.length <= 1) return { statistic: 0, pValue: 1 };
  const n1 = counts.referenceTotal;
  const n2 = counts.currentTotal;
  const p1 = (n1 - counts.reference[0]!) / n1;
  const p2 = (n2 - counts.current[0]!) / n2;
  const pooledRate = (p1 * n1 + p2 * n2) / (n1 + n2);
  const statistic = (p1 - p2) / Math.sqrt(pooledRate * (1 - pooledRate) * (1 / n1 + 1 / n2));
  return { statistic, pValue: Math.min(1, 2 * normalSf(Math.abs(statistic))) };
}
