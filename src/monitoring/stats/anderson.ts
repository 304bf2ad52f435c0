/**
 * @module monitoring/stats/anderson
 * k-sample Anderson–Darling test, midrank variant, with scipy's `anderson_ksamp` p-value: a
 * quadratic in ln(p) fitted to Scholz & Stephens' critical values, capped at 0.25 and floored at
 * 0.001 outside the tabulated range (reference/monitoring.md §3.7).
 */
import { invalidParameter } from "../../core/errors.js";
import { type NumericInput, requireNonEmpty, sortedFinite } from "./sample.js";

export interface AndersonResult {
  /** The standardised statistic T. */
  statistic: number;
  pValue: number;
  /** Critical values of T at the significance levels in {@link ANDERSON_LEVELS}. */
  criticalValues: number[];
  /** Set when the p-value lies outside the table and was clamped. */
  clamped?: "capped" | "floored";
}

export const ANDERSON_LEVELS = [0.25, 0.1, 0.05, 0.025, 0.01, 0.005, 0.001] as const;
const B0 = [0.675, 1.281, 1.645, 1.96, 2.326, 2.573, 3.085];
const B1 = [-0.245, 0.25, 0.678, 1.149, 1.822, 2.364, 3.615];
const B2 = [-0.105, -0.305, -0.362, -0.391, -0.396, -0.345, -0.154];

/** Least-squares quadratic through (x, y), returned as a function; x is centred for conditioning. */
function fitQuadratic(xs: readonly number[], ys: readonly number[]): (x: number) => number {
  const mean = xs.reduce((sum, x) => sum + x, 0) / xs.length;
  // Normal equations for y ≈ c0 + c1·t + c2·t², t = x − mean.
  const s = [0, 0, 0, 0, 0];
  const r = [0, 0, 0];
  for (let i = 0; i < xs.length; i++) {
    const t = xs[i]! - mean;
    let power = 1;
    for (let p = 0; p <= 4; p++) {
      s[p]! += power;
      if (p <= 2) r[p]! += power * ys[i]!;
      power *= t;
    }
  }
  const m = [
    [s[0]!, s[1]!, s[2]!, r[0]!],
    [s[1]!, s[2]!, s[3]!, r[1]!],
    [s[2]!, s[3]!, s[4]!, r[2]!],
  ];
  for (let col = 0; col < 3; col++) {
    let pivot = col;
    for (let row = col + 1; row < 3; row++) if (Math.abs(m[row]![col]!) > Math.abs(m[pivot]![col]!)) pivot = row;
    [m[col], m[pivot]] = [m[pivot]!, m[col]!];
    for (let row = 0; row < 3; row++) {
      if (row === col) continue;
      const factor = m[row]![col]! / m[col]![col]!;
      for (let k = col; k < 4; k++) m[row]![k]! -= factor * m[col]![k]!;
    }
  }
  const c = [m[0]![3]! / m[0]![0]!, m[1]![3]! / m[1]![1]!, m[2]![3]! / m[2]![2]!];
  return (x) => {
    const t = x - mean;
    return c[0]! + c[1]! * t + c[2]! * t * t;
  };
}

/** Anderson–Darling k-sample test (midrank) on two or more samples. */
export function andersonKSamp(samples: readonly NumericInput[]): AndersonResult {
  const k = samples.length;
  if (k < 2) throw invalidParameter("The Anderson–Darling k-sample test needs at least two samples.");
  const sorted = samples.map((sample, index) => {
    const values = sortedFinite(sample);
    requireNonEmpty(values, index === 0 ? "The reference sample" : "The current sample", "the Anderson–Darling test");
    return values;
  });
  const N = sorted.reduce((sum, values) => sum + values.length, 0);
  if (N < 4) throw invalidParameter("The Anderson–Darling test needs at least 4 values in total.");
  const all = new Float64Array(N);
  let offset = 0;
  for (const values of sorted) {
    all.set(values, offset);
    offset += values.length;
  }
  all.sort();
  // Distinct pooled values z*_j and their multiplicities l_j.
  const distinct: number[] = [];
  const multiplicity: number[] = [];
  for (let i = 0; i < N; ) {
    let end = i + 1;
    while (end < N && all[end] === all[i]) end++;
    distinct.push(all[i]!);
    multiplicity.push(end - i);
    i = end;
  }
  let a2 = 0;
  for (const values of sorted) {
    const n = values.length;
    let inner = 0;
    let below = 0; // values of the pooled sample < z*_j
    let pos = 0; // values of this sample < z*_j
    for (let j = 0; j < distinct.length; j++) {
      const z = distinct[j]!;
      const l = multiplicity[j]!;
      let f = 0;
      while (pos + f < n && values[pos + f] === z) f++;
      const bj = below + l / 2;
      const mij = pos + f / 2;
      const denominator = bj * (N - bj) - (N * l) / 4;
      if (denominator > 0) inner += ((l / N) * (N * mij - n * bj) ** 2) / denominator;
      below += l;
      pos += f;
    }
    a2 += inner / n;
  }
  a2 *= (N - 1) / N;
  const H = sorted.reduce((sum, values) => sum + 1 / values.length, 0);
  let h = 0;
  for (let i = 1; i < N; i++) h += 1 / i;
  // g = Σ_{t=0}^{N−3} 1/(t+2) · Σ_{i=N−1−t}^{N−1} 1/i, with the inner sum kept as a running total.
  let g = 0;
  let tail = 0;
  for (let t = 0; t <= N - 3; t++) {
    tail += 1 / (N - 1 - t);
    g += tail / (t + 2);
  }
  const a = (4 * g - 6) * (k - 1) + (10 - 6 * g) * H;
  const b = (2 * g - 4) * k * k + 8 * h * k + (2 * g - 14 * h - 4) * H - 8 * h + 4 * g - 6;
  const c = (6 * h + 2 * g - 2) * k * k + (4 * h - 4 * g + 6) * k + (2 * h - 6) * H + 4 * h;
  const d = (2 * h + 6) * k * k - 4 * h * k;
  const sigmaSquared = (a * N ** 3 + b * N * N + c * N + d) / ((N - 1) * (N - 2) * (N - 3));
  const m = k - 1;
  const statistic = (a2 - m) / Math.sqrt(sigmaSquared);
  const criticalValues = B0.map((b0, i) => b0 + B1[i]! / Math.sqrt(m) + B2[i]! / m);
  const low = Math.min(...criticalValues);
  const high = Math.max(...criticalValues);
  if (statistic < low) return { statistic, pValue: 0.25, criticalValues, clamped: "capped" };
  if (statistic > high) return { statistic, pValue: 0.001, criticalValues, clamped: "floored" };
  const logLevel = fitQuadratic(
    criticalValues,
    ANDERSON_LEVELS.map((level) => Math.log(level)),
  );
  return { statistic, pValue: Math.exp(logLevel(statistic)), criticalValues };
}
