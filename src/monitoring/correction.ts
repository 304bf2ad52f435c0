/**
 * @module monitoring/correction
 * Multiple-testing correction across features, as Alibi Detect aggregates feature-wise p-values
 * (reference/monitoring.md §1.2). Bonferroni: threshold α/m. FDR (Benjamini–Hochberg): the largest
 * q·i/m with p_(i) < q·i/m; when none passes, Alibi returns the whole vector of candidates — here the
 * threshold is the strictest candidate q/m (no p-value is below it) and the vector is kept aside.
 */
import { invalidParameter } from "../core/errors.js";

export type Correction = "bonferroni" | "fdr";

export interface CorrectionResult {
  /** True when at least one p-value is below the threshold. */
  drift: boolean;
  /** The p-value a feature must stay under to count as drifted. */
  threshold: number;
  /** FDR only: every candidate q·i/m, i = 1..m. */
  candidates?: number[];
}

/** Aggregates per-feature p-values into one decision. */
export function correctPValues(pValues: readonly number[], pVal: number, correction: Correction): CorrectionResult {
  if (!(pVal > 0 && pVal <= 1)) throw invalidParameter(`The significance level must be in (0, 1], got ${pVal}.`);
  const m = pValues.length;
  if (m === 0) return { drift: false, threshold: pVal };
  if (correction === "bonferroni") {
    const threshold = pVal / m;
    return { drift: pValues.some((p) => p < threshold), threshold };
  }
  if (correction !== "fdr") throw invalidParameter(`Unknown correction '${correction}'; use bonferroni or fdr.`);
  const sorted = [...pValues].sort((a, b) => a - b);
  const candidates = sorted.map((_, i) => (pVal * (i + 1)) / m);
  let last = -1;
  for (let i = 0; i < m; i++) if (sorted[i]! < candidates[i]!) last = i;
  if (last < 0) return { drift: false, threshold: candidates[0]!, candidates };
  return { drift: true, threshold: candidates[last]!, candidates };
}
