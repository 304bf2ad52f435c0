/**
 * @module monitoring/tests
 * The registry of per-column drift tests `lathe drift --test` can name. Each entry says whether it
 * yields a p-value (drift when p is under the corrected threshold, as Alibi Detect) or a distance
 * (drift when it reaches the threshold, as Evidently), and how it runs on numeric samples (sorted,
 * without NaN) and on category samples. A new test is one more entry here.
 */
import { andersonKSamp } from "./stats/anderson.js";
import type { CategoricalInput } from "./stats/categories.js";
import { chiSquareTwoSample } from "./stats/chi2.js";
import { cramerVonMises2Samp } from "./stats/cvm.js";
import { binShares, jensenShannon, populationStd, psi, wassersteinSorted } from "./stats/distance.js";
import { ks2SampSorted } from "./stats/ks.js";
import { mannWhitneyU } from "./stats/mann-whitney.js";
import type { ColumnTestName } from "./test-names.js";

export { type ColumnTestName, DRIFT_TESTS, type DriftTestName } from "./test-names.js";

export interface ColumnTestOutcome {
  statistic: number;
  /** The p-value for p-value tests; null for distances (the statistic is the distance). */
  pValue: number | null;
}

export interface ColumnTest {
  /** "p_value": drift when p < corrected threshold; "distance": drift when statistic ≥ threshold. */
  score: "p_value" | "distance";
  /** Runs on numeric samples sorted ascending without NaN; absent when the test is categorical only. */
  numeric?: (reference: Float64Array, current: Float64Array) => ColumnTestOutcome;
  /** Runs on category samples; absent when the test is numeric only (then χ² is used instead). */
  categorical?: (reference: CategoricalInput, current: CategoricalInput) => ColumnTestOutcome;
}

const chi2: ColumnTest["categorical"] = (reference, current) => {
  const result = chiSquareTwoSample(reference, current);
  return { statistic: result.statistic, pValue: result.pValue };
};

export const COLUMN_TESTS: Record<ColumnTestName, ColumnTest> = {
  ks: {
    score: "p_value",
    // Alibi's KSDrift uses the asymptotic distribution whatever the sample size.
    numeric: (reference, current) => {
      const result = ks2SampSorted(reference, current, { method: "asymp" });
      return { statistic: result.statistic, pValue: result.pValue };
    },
  },
  chi2: {
    score: "p_value",
    numeric: (reference, current) => chi2!(Array.from(reference), Array.from(current)),
    categorical: chi2,
  },
  cvm: {
    score: "p_value",
    numeric: (reference, current) => {
      const result = cramerVonMises2Samp(reference, current);
      return { statistic: result.statistic, pValue: result.pValue };
    },
  },
  ad: {
    score: "p_value",
    numeric: (reference, current) => {
      const result = andersonKSamp([reference, current]);
      return { statistic: result.statistic, pValue: result.pValue };
    },
  },
  mw: {
    score: "p_value",
    numeric: (reference, current) => {
      const result = mannWhitneyU(reference, current);
      return { statistic: result.statistic, pValue: result.pValue };
    },
  },
  psi: {
    score: "distance",
    numeric: (reference, current) => {
      const shares = binShares(reference, current, { numeric: true, fill: true });
      return { statistic: psi(shares.reference, shares.current), pValue: null };
    },
    categorical: (reference, current) => {
      const shares = binShares(reference, current, { numeric: false, fill: true });
      return { statistic: psi(shares.reference, shares.current), pValue: null };
    },
  },
  js: {
    score: "distance",
    numeric: (reference, current) => {
      const shares = binShares(reference, current, { numeric: true, fill: false });
      return { statistic: jensenShannon(shares.reference, shares.current), pValue: null };
    },
    categorical: (reference, current) => {
      const shares = binShares(reference, current, { numeric: false, fill: false });
      return { statistic: jensenShannon(shares.reference, shares.current), pValue: null };
    },
  },
  wasserstein: {
    score: "distance",
    // Evidently's normed score: W1 / max(std(reference), 0.001).
    numeric: (reference, current) => ({
      statistic: wassersteinSorted(reference, current) / Math.max(populationStd(reference), 0.001),
      pValue: null,
    }),
  },
};
