/**
 * @module monitoring/stats/ks
 * Two-sample Kolmogorov–Smirnov test with scipy's `ks_2samp` semantics (reference/monitoring.md
 * §3.1): `method: "auto"` is exact when max(n1, n2) ≤ 10,000 and asymptotic otherwise; the
 * asymptotic two-sided p-value is `kstwo.sf(D, round(n1·n2/(n1+n2)))`.
 */
import { kolmogorovSf } from "./kolmogorov.js";
import { type NumericInput, requireNonEmpty, sortedFinite } from "./sample.js";
import { gcd, roundHalfEven } from "./special.js";

export type Alternative = "two-sided" | "less" | "greater";
export type KsMethod = "auto" | "exact" | "asymp";

export interface KsOptions {
  alternative?: Alternative;
  method?: KsMethod;
  /** Set when both inputs are already sorted without NaN; skips the copy and sort. */
  presorted?: boolean;
}

export interface KsResult {
  statistic: number;
  pValue: number;
  /** The value at which the ECDF difference is largest. */
  statisticLocation: number;
  /** +1 when the first sample's ECDF is above the second's there, −1 otherwise. */
  statisticSign: 1 | -1;
  method: "exact" | "asymp";
}

/** scipy's `MAX_AUTO_N`: above this size `auto` switches to the asymptotic distribution. */
const MAX_AUTO_N = 10_000;

interface Extremes {
  /** max over data points of i·n2 − j·n1 (i, j = counts ≤ value), as an exact integer. */
  up: number;
  upAt: number;
  upI: number;
  upJ: number;
  down: number;
  downAt: number;
  downI: number;
  downJ: number;
}

/** One merge walk over two sorted samples, tracking the largest ECDF gaps in both directions. */
function walk(x: Float64Array, y: Float64Array): Extremes {
  const n1 = x.length;
  const n2 = y.length;
  const out: Extremes = { up: 0, upAt: Number.NaN, upI: 0, upJ: 0, down: 0, downAt: Number.NaN, downI: 0, downJ: 0 };
  let upSeen = false;
  let downSeen = false;
  let i = 0;
  let j = 0;
  while (i < n1 || j < n2) {
    const xi = i < n1 ? x[i]! : Number.POSITIVE_INFINITY;
    const yj = j < n2 ? y[j]! : Number.POSITIVE_INFINITY;
    const value = xi <= yj ? xi : yj;
    while (i < n1 && x[i] === value) i++;
    while (j < n2 && y[j] === value) j++;
    const gap = i * n2 - j * n1;
    if (!upSeen || gap > out.up) {
      out.up = gap;
      out.upAt = value;
      out.upI = i;
      out.upJ = j;
      upSeen = true;
    }
    if (!downSeen || -gap > out.down) {
      out.down = -gap;
      out.downAt = value;
      out.downI = i;
      out.downJ = j;
      downSeen = true;
    }
  }
  return out;
}

/**
 * P(some lattice point of a uniformly random path from (0,0) to (n1,n2) lies outside the band),
 * where outside means i·n2 − j·n1 ≥ bound (upper side) or j·n1 − i·n2 ≥ bound (lower side).
 * The walk carries the probability of staying inside and adds up the mass that leaves, so small
 * p-values keep their relative precision; it visits only the band, O(n1 · band width).
 */
function exitProbability(n1: number, n2: number, bound: number, upper: boolean, lower: boolean): number {
  // Row i is inside for firstInside(i) ≤ j ≤ lastInside(i); all products are exact integers.
  const firstInside = (i: number) => (upper ? Math.max(0, Math.floor((i * n2 - bound) / n1) + 1) : 0);
  const lastInside = (i: number) => (lower ? Math.min(n2, Math.ceil((i * n2 + bound) / n1) - 1) : n2);
  let row = new Float64Array(n2 + 1);
  let next = new Float64Array(n2 + 1);
  row[0] = 1;
  let exited = 0;
  let from = 0;
  let to = lastInside(0);
  for (let i = 0; i <= n1; i++) {
    const nextFrom = i < n1 ? firstInside(i + 1) : 0;
    const nextTo = i < n1 ? lastInside(i + 1) : -1;
    if (nextTo >= nextFrom) next.fill(0, nextFrom, nextTo + 1);
    for (let j = from; j <= to; j++) {
      const mass = row[j]!;
      if (mass === 0) continue;
      const left = n1 - i + (n2 - j);
      if (left === 0) continue;
      // Step in x with probability (n1 − i)/left, in y with (n2 − j)/left.
      if (i < n1) {
        const share = (mass * (n1 - i)) / left;
        if (j >= nextFrom && j <= nextTo) next[j]! += share;
        else exited += share;
      }
      if (j < n2) {
        const share = (mass * (n2 - j)) / left;
        if (j + 1 <= to) row[j + 1]! += share;
        else exited += share;
      }
    }
    [row, next] = [next, row];
    from = nextFrom;
    to = nextTo;
  }
  return Math.min(1, exited);
}

function exactPValue(n1: number, n2: number, h: number, alternative: Alternative): number {
  const bound = h * gcd(n1, n2);
  if (bound <= 0) return 1;
  return exitProbability(n1, n2, bound, alternative !== "less", alternative !== "greater");
}

function asymptoticPValue(n1: number, n2: number, d: number, alternative: Alternative): number {
  const m = Math.max(n1, n2);
  const n = Math.min(n1, n2);
  const en = (m * n) / (m + n);
  if (alternative === "two-sided") return Math.min(1, Math.max(0, kolmogorovSf(roundHalfEven(en), d)));
  const z = Math.sqrt(en) * d;
  const exponent = -2 * z * z - (2 * z * (m + 2 * n)) / Math.sqrt(m * n * (m + n)) / 3;
  return Math.min(1, Math.max(0, Math.exp(exponent)));
}

/**
 * Two-sample KS test of `x` (reference) against `y` (current).
 * @example ks2Samp([1, 2, 3], [4, 5, 6]).pValue // 0.1
 */
export function ks2Samp(x: NumericInput, y: NumericInput, options: KsOptions = {}): KsResult {
  const alternative = options.alternative ?? "two-sided";
  const a = options.presorted ? Float64Array.from(x) : sortedFinite(x);
  const b = options.presorted ? Float64Array.from(y) : sortedFinite(y);
  return ks2SampSorted(a, b, { ...options, alternative });
}

/** {@link ks2Samp} on samples already sorted ascending without NaN (no copy, no sort). */
export function ks2SampSorted(x: Float64Array, y: Float64Array, options: KsOptions = {}): KsResult {
  requireNonEmpty(x, "The reference sample", "the KS test");
  requireNonEmpty(y, "The current sample", "the KS test");
  const alternative = options.alternative ?? "two-sided";
  const n1 = x.length;
  const n2 = y.length;
  const ext = walk(x, y);
  const useUp = alternative === "greater" || (alternative === "two-sided" && ext.up >= ext.down);
  const gap = Math.max(0, useUp ? ext.up : ext.down);
  const location = useUp ? ext.upAt : ext.downAt;
  let method: "exact" | "asymp" =
    options.method === "exact" || (options.method !== "asymp" && Math.max(n1, n2) <= MAX_AUTO_N) ? "exact" : "asymp";
  // The statistic as scipy computes it: a difference of the two ECDFs at the location.
  const [ci, cj] = useUp ? [ext.upI, ext.upJ] : [ext.downI, ext.downJ];
  let statistic = gap === 0 ? 0 : Math.abs(ci / n1 - cj / n2);
  let pValue: number;
  if (method === "exact") {
    const lcm = (n1 / gcd(n1, n2)) * n2;
    const h = Math.round(statistic * lcm);
    statistic = h / lcm;
    pValue = exactPValue(n1, n2, h, alternative);
    if (!Number.isFinite(pValue)) {
      method = "asymp";
      pValue = asymptoticPValue(n1, n2, statistic, alternative);
    }
  } else {
    pValue = asymptoticPValue(n1, n2, statistic, alternative);
  }
  return { statistic, pValue, statisticLocation: location, statisticSign: useUp ? 1 : -1, method };
}
