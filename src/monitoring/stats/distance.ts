/**
 * @module monitoring/stats/distance
 * Distance-based drift scores (reference/monitoring.md §2.3, §3.4–3.6): Wasserstein-1 raw and
 * normalised by the reference's population standard deviation (Evidently), Jensen–Shannon distance,
 * PSI and KL divergence on Evidently's binning.
 */
import { invalidParameter } from "../../core/errors.js";
import { type CategoricalInput, countCategories } from "./categories.js";
import { type NumericInput, requireNonEmpty, sortedFinite } from "./sample.js";

/** Wasserstein-1 distance ∫|F1 − F2| between two sorted samples, by one merge walk. */
export function wassersteinSorted(x: Float64Array, y: Float64Array): number {
  requireNonEmpty(x, "The reference sample", "the Wasserstein distance");
  requireNonEmpty(y, "The current sample", "the Wasserstein distance");
  const n1 = x.length;
  const n2 = y.length;
  let i = 0;
  let j = 0;
  let previous = Math.min(x[0]!, y[0]!);
  let total = 0;
  while (i < n1 || j < n2) {
    const xi = i < n1 ? x[i]! : Number.POSITIVE_INFINITY;
    const yj = j < n2 ? y[j]! : Number.POSITIVE_INFINITY;
    const value = xi <= yj ? xi : yj;
    total += Math.abs(i / n1 - j / n2) * (value - previous);
    previous = value;
    while (i < n1 && x[i] === value) i++;
    while (j < n2 && y[j] === value) j++;
  }
  return total;
}

/** Wasserstein-1 distance between two samples (scipy's `wasserstein_distance`). */
export function wassersteinDistance(x: NumericInput, y: NumericInput): number {
  return wassersteinSorted(sortedFinite(x), sortedFinite(y));
}

/** Population standard deviation (ddof 0), two-pass. */
export function populationStd(values: Float64Array): number {
  let mean = 0;
  for (const value of values) mean += value;
  mean /= values.length;
  let sum = 0;
  for (const value of values) sum += (value - mean) ** 2;
  return Math.sqrt(sum / values.length);
}

/** Evidently's `wasserstein` score: W1 / max(std(reference, ddof 0), 0.001). */
export function wassersteinNormed(x: NumericInput, y: NumericInput): number {
  const a = sortedFinite(x);
  const b = sortedFinite(y);
  return wassersteinSorted(a, b) / Math.max(populationStd(a), 0.001);
}

function relativeEntropy(p: number, q: number): number {
  if (p === 0) return 0;
  if (q === 0) return Number.POSITIVE_INFINITY;
  return p * Math.log(p / q);
}

function normalised(values: readonly number[]): number[] {
  const total = values.reduce((sum, value) => sum + value, 0);
  if (!(total > 0)) throw invalidParameter("A distribution needs a positive total; got all zeros.");
  return values.map((value) => value / total);
}

/** Jensen–Shannon distance between two (unnormalised) distributions; natural log unless `base`. */
export function jensenShannon(p: readonly number[], q: readonly number[], base?: number): number {
  if (p.length !== q.length) throw invalidParameter("Both distributions need the same number of bins.");
  const a = normalised(p);
  const b = normalised(q);
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const m = (a[i]! + b[i]!) / 2;
    sum += relativeEntropy(a[i]!, m) + relativeEntropy(b[i]!, m);
  }
  let divergence = sum / 2;
  if (base !== undefined) divergence /= Math.log(base);
  return Math.sqrt(Math.max(0, divergence));
}

/** Population stability index Σ (r − c)·ln(r/c) over bin shares; shares must be non-zero. */
export function psi(reference: readonly number[], current: readonly number[]): number {
  let total = 0;
  for (let i = 0; i < reference.length; i++) {
    const r = reference[i]!;
    const c = current[i]!;
    total += (r - c) * Math.log(r / c);
  }
  return total;
}

/** KL(reference ‖ current) after normalising both to sum 1 (scipy's `entropy(r, c)`). */
export function klDivergence(reference: readonly number[], current: readonly number[]): number {
  const r = normalised(reference);
  const c = normalised(current);
  let total = 0;
  for (let i = 0; i < r.length; i++) total += relativeEntropy(r[i]!, c[i]!);
  return total;
}

export interface BinnedShares {
  reference: number[];
  current: number[];
  /** Bin edges for numeric binning; absent when each distinct value is its own bin. */
  edges?: number[];
  /** The distinct values, when each is its own bin. */
  categories?: (string | number | boolean)[];
}

/** numpy's "sturges" edges over a sorted sample: ⌈ptp / (ptp / (log2 n + 1))⌉ equal-width bins. */
export function sturgesEdges(pooledSorted: Float64Array): number[] {
  const first = pooledSorted[0]!;
  const last = pooledSorted[pooledSorted.length - 1]!;
  if (first === last) return [first - 0.5, first + 0.5];
  const width = (last - first) / (Math.log2(pooledSorted.length) + 1);
  const bins = Math.ceil((last - first) / width);
  const step = (last - first) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, i) => i * step + first);
  edges[bins] = last;
  return edges;
}

/** Counts per bin [e_i, e_{i+1}), the last bin closed, of a sorted sample (numpy's `histogram`). */
export function histogramSorted(sorted: Float64Array, edges: readonly number[]): number[] {
  const bins = edges.length - 1;
  const counts = new Array<number>(bins).fill(0);
  let bin = 0;
  for (const value of sorted) {
    if (value < edges[0]! || value > edges[bins]!) continue;
    while (bin < bins - 1 && value >= edges[bin + 1]!) bin++;
    counts[bin]!++;
  }
  return counts;
}

function distinctCount(sorted: Float64Array): number {
  let count = 0;
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) count++;
  return count;
}

/** Evidently's zero fill: zeros become min(non-zero)/10⁶ when that minimum ≤ 1e-4, else 1e-4. */
export function fillZeros(shares: number[]): number[] {
  const nonZero = shares.filter((share) => share !== 0);
  if (nonZero.length === 0) return shares;
  const smallest = Math.min(...nonZero);
  const fill = smallest <= 0.0001 ? smallest / 10 ** 6 : 0.0001;
  return shares.map((share) => (share === 0 ? fill : share));
}

/**
 * Evidently's `get_binned_data`: a numeric column whose reference has more than 20 distinct values
 * is cut into sturges bins over the pooled sample; otherwise every distinct value is a bin. Shares
 * are counts / sample size; `fill` applies {@link fillZeros} (PSI and KL do, JS does not).
 */
export function binShares(
  reference: NumericInput | CategoricalInput,
  current: NumericInput | CategoricalInput,
  options: { numeric: boolean; fill: boolean },
): BinnedShares {
  let result: BinnedShares;
  const numericSample = (values: NumericInput | CategoricalInput) =>
    sortedFinite(values instanceof Float64Array ? values : (values as readonly unknown[]).map(Number));
  if (options.numeric) {
    const a = numericSample(reference);
    const b = numericSample(current);
    requireNonEmpty(a, "The reference sample", "binning");
    requireNonEmpty(b, "The current sample", "binning");
    if (distinctCount(a) > 20) {
      const all = new Float64Array(a.length + b.length);
      all.set(a);
      all.set(b, a.length);
      all.sort();
      const edges = sturgesEdges(all);
      result = {
        reference: histogramSorted(a, edges).map((count) => count / a.length),
        current: histogramSorted(b, edges).map((count) => count / b.length),
        edges,
      };
    } else {
      const counts = countCategories(Array.from(a), Array.from(b));
      result = {
        reference: counts.reference.map((count) => count / counts.referenceTotal),
        current: counts.current.map((count) => count / counts.currentTotal),
        categories: counts.categories,
      };
    }
  } else {
    const toList = (values: NumericInput | CategoricalInput): CategoricalInput =>
      values instanceof Float64Array ? Array.from(values) : (values as CategoricalInput);
    const counts = countCategories(toList(reference), toList(current));
    requireNonEmpty({ length: counts.referenceTotal }, "The reference sample", "binning");
    requireNonEmpty({ length: counts.currentTotal }, "The current sample", "binning");
    result = {
      reference: counts.reference.map((count) => count / counts.referenceTotal),
      current: counts.current.map((count) => count / counts.currentTotal),
      categories: counts.categories,
    };
  }
  if (options.fill) {
    result.reference = fillZeros(result.reference);
    result.current = fillZeros(result.current);
  }
  return result;
}
