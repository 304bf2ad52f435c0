/**
 * @module monitoring/stats/mmd
 * Maximum mean discrepancy with a Gaussian RBF kernel, as Alibi Detect's MMDDrift computes it
 * (reference/monitoring.md §1.3): σ from the median heuristic on the reference, the unbiased MMD²
 * with zeroed diagonals, and a permutation p-value (share of permuted MMD² ≥ the observed one).
 *
 * The kernel matrix of the pooled sample is computed once; each permutation only re-sums it, using
 * Σ_xy = Σ_{i∈x} rowSum_i − Σ_xx and Σ_yy = total − Σ_xx − 2·Σ_xy, so one pass over the x block
 * per permutation suffices.
 */
import { invalidParameter } from "../../core/errors.js";
import { seededRandom, shuffle } from "./random.js";

/** Largest pooled sample: its kernel matrix takes 8·rows² bytes (20,000 rows: 3.2 GB). */
const MAX_ROWS = 20_000;

/** Rows of features; every row has the same width. */
export type Matrix = readonly (readonly number[])[] | readonly Float64Array[];

export interface MmdOptions {
  /** Kernel bandwidth; inferred from the reference by the median heuristic when absent. */
  sigma?: number;
  /** Number of permutations for the p-value (default 100; 0 skips it). */
  permutations?: number;
  /** Seed of the permutation generator (default 0). */
  seed?: number;
  /** Significance level used for `distanceThreshold` (default 0.05). */
  pVal?: number;
}

export interface MmdResult {
  /** Unbiased MMD². */
  statistic: number;
  /** Share of permuted MMD² values ≥ the observed one; NaN without permutations. */
  pValue: number;
  sigma: number;
  /** The permuted MMD² at descending rank ⌊pVal·permutations⌋ (Alibi's `distance_threshold`). */
  distanceThreshold: number;
}

function flatten(rows: Matrix, label: string): { data: Float64Array; n: number; width: number } {
  const n = rows.length;
  if (n < 2)
    throw invalidParameter(`${label} needs at least 2 rows for MMD (the unbiased estimator divides by n − 1).`);
  const width = rows[0]!.length;
  const data = new Float64Array(n * width);
  for (let i = 0; i < n; i++) {
    const row = rows[i]!;
    if (row.length !== width)
      throw invalidParameter(`${label} row ${i} has ${row.length} features, expected ${width}; give rectangular data.`);
    for (let f = 0; f < width; f++) {
      const value = row[f]!;
      if (!Number.isFinite(value))
        throw invalidParameter(`${label} row ${i} has a missing or non-finite value; MMD needs complete numeric rows.`);
      data[i * width + f] = value;
    }
  }
  return { data, n, width };
}

function squaredDistance(a: Float64Array, i: number, b: Float64Array, j: number, width: number): number {
  let sum = 0;
  for (let f = 0; f < width; f++) {
    const diff = a[i * width + f]! - b[j * width + f]!;
    sum += diff * diff;
  }
  return sum;
}

/** Alibi's `sigma_median`: σ = √(0.5 · median of the off-diagonal squared distances within x). */
export function medianHeuristicSigma(rows: Matrix): number {
  const { data, n, width } = flatten(rows, "The reference");
  if (n > MAX_ROWS)
    throw invalidParameter(
      `The median heuristic on ${n} rows is too costly; use a random subset of at most ${MAX_ROWS}.`,
    );
  const pairs = (n * (n - 1)) / 2;
  const distances = new Float64Array(pairs);
  let k = 0;
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) distances[k++] = squaredDistance(data, i, data, j, width);
  distances.sort();
  // Index n + (n² − n)/2 − 1 of all n² sorted values (diagonal zeros first, each pair twice).
  const median = distances[Math.floor((pairs - 1) / 2)]!;
  return Math.sqrt(0.5 * median);
}

/** MMD² of reference `x` against current `y`, with a seeded permutation p-value. */
export function mmdDrift(x: Matrix, y: Matrix, options: MmdOptions = {}): MmdResult {
  const a = flatten(x, "The reference");
  const b = flatten(y, "The current data");
  if (a.width !== b.width)
    throw invalidParameter(
      `The reference has ${a.width} features and the current data ${b.width}; give the same columns.`,
    );
  const sigma = options.sigma ?? medianHeuristicSigma(x);
  if (!(sigma > 0))
    throw invalidParameter("The kernel bandwidth is 0 (the reference rows are all identical); pass a sigma > 0.");
  const n = a.n;
  const m = b.n;
  const total = n + m;
  if (total > MAX_ROWS)
    throw invalidParameter(
      `MMD on ${total} rows needs a ${total}×${total} kernel matrix; test a random subset of at most ${MAX_ROWS} rows in all.`,
    );
  const width = a.width;
  const joint = new Float64Array(total * width);
  joint.set(a.data);
  joint.set(b.data, n * width);
  const gamma = 1 / (2 * sigma * sigma);
  const kernel = new Float64Array(total * total);
  const rowSums = new Float64Array(total);
  for (let i = 0; i < total; i++) {
    for (let j = i + 1; j < total; j++) {
      const value = Math.exp(-gamma * squaredDistance(joint, i, joint, j, width));
      kernel[i * total + j] = value;
      kernel[j * total + i] = value;
      rowSums[i]! += value;
      rowSums[j]! += value;
    }
  }
  let all = 0;
  for (const value of rowSums) all += value;
  const cxx = 1 / (n * (n - 1));
  const cyy = 1 / (m * (m - 1));
  const cxy = 2 / (n * m);
  const statisticOf = (xIndex: Uint32Array) => {
    let sxx = 0;
    let rows = 0;
    for (let p = 0; p < n; p++) {
      const i = xIndex[p]!;
      rows += rowSums[i]!;
      const base = i * total;
      for (let q = p + 1; q < n; q++) sxx += kernel[base + xIndex[q]!]!;
    }
    sxx *= 2;
    const sxy = rows - sxx;
    const syy = all - sxx - 2 * sxy;
    return cxx * sxx + cyy * syy - cxy * sxy;
  };
  const identity = new Uint32Array(n);
  for (let i = 0; i < n; i++) identity[i] = i;
  const statistic = statisticOf(identity);
  const permutations = options.permutations ?? 100;
  if (permutations <= 0) return { statistic, pValue: Number.NaN, sigma, distanceThreshold: Number.NaN };
  const random = seededRandom(options.seed ?? 0);
  const order = new Uint32Array(total);
  for (let i = 0; i < total; i++) order[i] = i;
  const permuted = new Float64Array(permutations);
  let atLeast = 0;
  for (let p = 0; p < permutations; p++) {
    shuffle(order, random);
    const xIndex = order.slice(0, n).sort();
    const value = statisticOf(xIndex);
    permuted[p] = value;
    if (value >= statistic) atLeast++;
  }
  const descending = permuted.sort().reverse();
  const pVal = options.pVal ?? 0.05;
  const distanceThreshold = descending[Math.min(permutations - 1, Math.floor(pVal * permutations))]!;
  return { statistic, pValue: atLeast / permutations, sigma, distanceThreshold };
}
