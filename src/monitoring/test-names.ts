/**
 * @module monitoring/test-names
 * The names of the drift tests, apart from their implementations so the CLI can validate
 * `--test` without loading the statistics.
 */

export type ColumnTestName = "ks" | "chi2" | "cvm" | "ad" | "mw" | "psi" | "js" | "wasserstein";
export type DriftTestName = ColumnTestName | "mmd";

export const DRIFT_TESTS: readonly DriftTestName[] = [
  "ks",
  "chi2",
  "cvm",
  "ad",
  "mw",
  "psi",
  "js",
  "wasserstein",
  "mmd",
];
