/**
 * @module monitoring/stats/mann-whitney
 * Mann–Whitney U test with scipy's `mannwhitneyu` semantics (reference/monitoring.md §3.8): the
 * statistic is U of the first sample; `auto` is exact when there are no ties and either sample has
 * at most 8 values, otherwise the normal approximation with tie correction and continuity.
 */
import { invalidParameter } from "../../core/errors.js";
import type { Alternative } from "./ks.js";
import { midranks, type NumericInput, pooled, requireNonEmpty, sortedFinite } from "./sample.js";
import { normalSf } from "./special.js";

/** Largest n1·n2 whose exact null distribution is built (one double per possible U). */
const MAX_EXACT_DEGREE = 20_000_000;

export interface MannWhitneyResult {
  statistic: number;
  pValue: number;
  method: "exact" | "asymptotic";
}

/**
 * The null distribution of U for sizes (n1, n2): the coefficients of the Gaussian binomial
 * [n1+n2 choose n1]_q, built one factor (1 − q^{n2+i})/(1 − q^i) at a time, as probabilities.
 */
function exactDistribution(n1: number, n2: number): Float64Array {
  const small = Math.min(n1, n2);
  const large = Math.max(n1, n2);
  const degree = small * large;
  const coefficients = new Float64Array(degree + 1);
  coefficients[0] = 1;
  for (let i = 1; i <= small; i++) {
    // Divide by (1 − q^i): a running sum with stride i.
    for (let u = i; u <= degree; u++) coefficients[u]! += coefficients[u - i]!;
    // Multiply by (1 − q^{large+i}).
    const shift = large + i;
    for (let u = degree; u >= shift; u--) coefficients[u]! -= coefficients[u - shift]!;
  }
  let total = 0;
  for (const value of coefficients) total += value;
  for (let u = 0; u <= degree; u++) coefficients[u] = Math.max(0, coefficients[u]! / total);
  return coefficients;
}

/** P(U ≥ u) under the null, summed over the shorter (symmetric) tail for accuracy. */
function exactSf(n1: number, n2: number, u: number): number {
  const pmf = exactDistribution(n1, n2);
  const degree = n1 * n2;
  const start = Math.ceil(u - 1e-9);
  let sum = 0;
  // P(U ≥ start) = P(U ≤ degree − start) by symmetry.
  for (let v = 0; v <= degree - start; v++) sum += pmf[v]!;
  return Math.min(1, sum);
}

/** Mann–Whitney U test of `x` (reference) against `y` (current). */
export function mannWhitneyU(
  x: NumericInput,
  y: NumericInput,
  options: { alternative?: Alternative; method?: "auto" | "exact" | "asymptotic"; useContinuity?: boolean } = {},
): MannWhitneyResult {
  const a = sortedFinite(x);
  const b = sortedFinite(y);
  requireNonEmpty(a, "The reference sample", "the Mann–Whitney test");
  requireNonEmpty(b, "The current sample", "the Mann–Whitney test");
  const alternative = options.alternative ?? "two-sided";
  const n1 = a.length;
  const n2 = b.length;
  const N = n1 + n2;
  const { ranks, tieSizes } = midranks(pooled(a, b));
  let r1 = 0;
  for (let i = 0; i < n1; i++) r1 += ranks[i]!;
  const u1 = r1 - (n1 * (n1 + 1)) / 2;
  const u2 = n1 * n2 - u1;
  const u = alternative === "greater" ? u1 : alternative === "less" ? u2 : Math.max(u1, u2);
  const hasTies = tieSizes.some((size) => size > 1);
  const method = options.method ?? "auto";
  const exact = method === "exact" || (method === "auto" && !hasTies && (n1 <= 8 || n2 <= 8));
  if (exact && n1 * n2 > MAX_EXACT_DEGREE)
    throw invalidParameter(
      `The exact Mann–Whitney distribution is limited to n1·n2 ≤ ${MAX_EXACT_DEGREE} (got ${n1 * n2}); ` +
        'use method "asymptotic" or "auto".',
    );
  let pValue: number;
  if (exact) {
    pValue = exactSf(n1, n2, u);
  } else {
    const mean = (n1 * n2) / 2;
    let tieTerm = 0;
    for (const t of tieSizes) tieTerm += t * t * t - t;
    const sd = Math.sqrt(((n1 * n2) / 12) * (N + 1 - tieTerm / (N * (N - 1))));
    const z = (u - mean - (options.useContinuity === false ? 0 : 0.5)) / sd;
    pValue = normalSf(z);
  }
  if (alternative === "two-sided") pValue *= 2;
  return { statistic: u1, pValue: Math.min(1, Math.max(0, pValue)), method: exact ? "exact" : "asymptotic" };
}
