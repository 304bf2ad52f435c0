/**
 * @module monitoring/stats/cvm
 * Two-sample Cramér–von Mises test with scipy's `cramervonmises_2samp` semantics
 * (reference/monitoring.md §3.3): exact when max(n1, n2) ≤ 20 under `auto`, otherwise the limiting
 * distribution (Csörgő–Faraway series).
 *
 * Both distributions are written here: no pure-JS package ships them, nor a modified Bessel
 * function K of fractional order, which the limiting series needs.
 */

import { invalidParameter } from "../../core/errors.js";
import { midranks, type NumericInput, pooled, requireNonEmpty, sortedFinite } from "./sample.js";
import { gammaln, gcd } from "./special.js";

/** Largest sample the exact lattice walk accepts when asked for explicitly (its state grows fast). */
const MAX_EXACT = 60;

export interface CvmResult {
  statistic: number;
  pValue: number;
  method: "exact" | "asymptotic";
}

/**
 * e^{−q}·K_ν(q), the modified Bessel function of the second kind scaled as the CvM series uses it,
 * from K_ν(q) = ∫₀^∞ e^{−q·cosh t}·cosh(νt) dt (integrated as e^{−q(cosh t − 1)} and rescaled).
 * The integrand is analytic and decays double-exponentially, so the trapezoidal rule converges
 * geometrically; the step shrinks with 1/√q to follow the peak at t = 0.
 */
export function scaledBesselK(nu: number, q: number): number {
  const step = 0.1 / Math.max(1, Math.sqrt(q));
  // Beyond this point e^{−q(cosh t − 1)} is below 1e-300.
  const end = Math.acosh(1 + 700 / q);
  let sum = 0.5;
  for (let t = step; t <= end + step; t += step) sum += Math.exp(-q * (Math.cosh(t) - 1)) * Math.cosh(nu * t);
  return sum * step * Math.exp(-2 * q);
}

/** The limiting CDF of the CvM statistic, summed until a term falls below 1e-7 (as scipy does). */
export function cvmLimitCdf(x: number): number {
  let total = 0;
  for (let k = 0; k < 100; k++) {
    const y = 4 * k + 1;
    const q = (y * y) / (16 * x);
    const u = Math.exp(gammaln(k + 0.5) - gammaln(k + 1)) / (Math.PI ** 1.5 * Math.sqrt(x));
    const term = u * Math.sqrt(y) * scaledBesselK(0.25, q);
    total += term;
    if (Math.abs(term) < 1e-7) break;
  }
  return total;
}

/**
 * P(statistic ≥ observed) over all C(N, n1) equally likely orderings, by a walk over the lattice of
 * (i x's, j y's) that carries the distribution of Σ (a·i − b·j)², a = L/n1, b = L/n2 (L = lcm).
 * Each node keeps sorted (sum, count) pairs; counts stay exact in doubles for N ≤ 40.
 */
function exactPValue(n1: number, n2: number, u: number): number {
  const mn = n1 * n2;
  const lcm = mn / gcd(n1, n2);
  const a = lcm / n1;
  const b = lcm / n2;
  const zeta = Math.floor((lcm * lcm * (n1 + n2) * (6 * u - mn * (4 * mn - 1))) / (6 * mn * mn));
  type Dist = { sums: Float64Array; counts: Float64Array };
  const merge = (left: Dist | undefined, up: Dist | undefined, add: number): Dist => {
    const ls = left?.sums ?? new Float64Array(0);
    const lc = left?.counts ?? new Float64Array(0);
    const us = up?.sums ?? new Float64Array(0);
    const uc = up?.counts ?? new Float64Array(0);
    const sums = new Float64Array(ls.length + us.length);
    const counts = new Float64Array(ls.length + us.length);
    let p = 0;
    let q = 0;
    let k = 0;
    while (p < ls.length || q < us.length) {
      if (q >= us.length || (p < ls.length && ls[p]! < us[q]!)) {
        sums[k] = ls[p]! + add;
        counts[k++] = lc[p++]!;
      } else if (p >= ls.length || us[q]! < ls[p]!) {
        sums[k] = us[q]! + add;
        counts[k++] = uc[q++]!;
      } else {
        sums[k] = ls[p]! + add;
        counts[k++] = lc[p++]! + uc[q++]!;
      }
    }
    return { sums: sums.subarray(0, k), counts: counts.subarray(0, k) };
  };
  let previous: (Dist | undefined)[] = [];
  for (let i = 0; i <= n1; i++) {
    const current: (Dist | undefined)[] = new Array(n2 + 1);
    for (let j = 0; j <= n2; j++) {
      const value = (a * i - b * j) ** 2;
      if (i === 0 && j === 0) current[j] = { sums: Float64Array.of(0), counts: Float64Array.of(1) };
      else current[j] = merge(previous[j], j > 0 ? current[j - 1] : undefined, value);
    }
    previous = current;
  }
  const last = previous[n2]!;
  let above = 0;
  let total = 0;
  for (let k = 0; k < last.sums.length; k++) {
    total += last.counts[k]!;
    if (last.sums[k]! >= zeta) above += last.counts[k]!;
  }
  return above / total;
}

/** Two-sample Cramér–von Mises test; `method: "auto"` is exact when both samples have ≤ 20 values. */
export function cramerVonMises2Samp(
  x: NumericInput,
  y: NumericInput,
  options: { method?: "auto" | "exact" | "asymptotic" } = {},
): CvmResult {
  const a = sortedFinite(x);
  const b = sortedFinite(y);
  requireNonEmpty(a, "The reference sample", "the Cramér–von Mises test");
  requireNonEmpty(b, "The current sample", "the Cramér–von Mises test");
  const n1 = a.length;
  const n2 = b.length;
  const N = n1 + n2;
  const { ranks } = midranks(pooled(a, b));
  let sx = 0;
  for (let i = 0; i < n1; i++) sx += (ranks[i]! - (i + 1)) ** 2;
  let sy = 0;
  for (let j = 0; j < n2; j++) sy += (ranks[n1 + j]! - (j + 1)) ** 2;
  const u = n1 * sx + n2 * sy;
  const k = n1 * n2;
  const statistic = u / (k * N) - (4 * k - 1) / (6 * N);
  const method = options.method ?? "auto";
  const exact = method === "exact" || (method === "auto" && Math.max(n1, n2) <= 20);
  if (exact && Math.max(n1, n2) > MAX_EXACT)
    throw invalidParameter(
      `The exact Cramér–von Mises distribution is limited to ${MAX_EXACT} values per sample (got ${Math.max(n1, n2)}); ` +
        'use method "asymptotic" or "auto".',
    );
  if (exact) return { statistic, pValue: Math.min(1, Math.max(0, exactPValue(n1, n2, u))), method: "exact" };
  const mean = (1 + 1 / N) / 6;
  const variance = ((N + 1) * (4 * k * N - 3 * (n1 * n1 + n2 * n2) - 2 * k)) / (45 * N * N * 4 * k);
  const tn = 1 / 6 + (statistic - mean) / Math.sqrt(45 * variance);
  const pValue = tn < 0.003 ? 1 : Math.min(1, Math.max(0, 1 - cvmLimitCdf(tn)));
  return { statistic, pValue, method: "asymptotic" };
}
