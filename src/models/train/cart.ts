/**
 * @module models/train/cart
 * Growing one CART tree on exact feature values: depth-first, the best split per node over a random
 * subset of features (all of them for a single tree), thresholds at the midpoint between two
 * adjacent distinct values. Gini or entropy for classification, squared error for regression.
 *
 * Speed: every feature is ranked once per dataset (dense ranks), so a node orders its rows by a
 * counting sort over ranks when a feature has few distinct values, or by a native sort of packed
 * `rank · n + row` keys otherwise. Impurity sums are updated in O(1) as the scan moves a row left.
 */
import type { TreeNodes } from "./model.js";
import type { Random } from "./random.js";

/** Features column-major plus their dense ranks, shared by every tree grown on the same rows. */
export interface TreeData {
  n: number;
  /** One column per feature, `n` values each. */
  columns: Float64Array[];
  /** Per feature, each row's rank among the distinct values of that feature (0-based). */
  ranks: Int32Array[];
  /** Per feature, the number of distinct values. */
  distinct: number[];
  /** Classification: class index per row; regression: `undefined`. */
  classIndex?: Int32Array;
  /** Regression: target per row. */
  values?: Float64Array;
  /** Number of classes (classification) or 1 (regression). */
  outputs: number;
}

export type Criterion = "gini" | "entropy" | "squared_error";

export interface GrowOptions {
  criterion: Criterion;
  maxDepth: number;
  minSamplesSplit: number;
  minSamplesLeaf: number;
  /** Features drawn per split (≤ number of features). */
  maxFeatures: number;
}

/** Ranks every feature of row-major data into column-major {@link TreeData}. */
export function prepareTreeData(
  rows: readonly Float64Array[],
  target: { classIndex: Int32Array; classes: number } | { values: Float64Array },
): TreeData {
  const n = rows.length;
  const width = n > 0 ? rows[0]!.length : 0;
  const columns: Float64Array[] = [];
  const ranks: Int32Array[] = [];
  const distinct: number[] = [];
  const order = new Float64Array(n);
  for (let f = 0; f < width; f++) {
    const column = new Float64Array(n);
    for (let i = 0; i < n; i++) column[i] = rows[i]![f]!;
    order.set(column);
    order.sort();
    const rank = new Int32Array(n);
    // Distinct sorted values, then a binary search per row.
    const unique: number[] = [];
    for (let i = 0; i < n; i++) if (i === 0 || order[i]! !== order[i - 1]!) unique.push(order[i]!);
    for (let i = 0; i < n; i++) {
      const v = column[i]!;
      let lo = 0;
      let hi = unique.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (unique[mid]! < v) lo = mid + 1;
        else hi = mid;
      }
      rank[i] = lo;
    }
    columns.push(column);
    ranks.push(rank);
    distinct.push(unique.length);
  }
  if ("classIndex" in target) {
    return { n, columns, ranks, distinct, classIndex: target.classIndex, outputs: target.classes };
  }
  return { n, columns, ranks, distinct, values: target.values, outputs: 1 };
}

function xlogx(x: number): number {
  return x > 0 ? x * Math.log(x) : 0;
}

/** What a node holds: its weight, impurity and value, plus its class weights or target sum. */
interface NodeStatistics {
  weight: number;
  impurity: number;
  value: number[];
  /** Regression: the weighted target sum. */
  sum: number;
}

/** The best split of a node: feature, threshold and its score. */
interface Split {
  feature: number;
  threshold: number;
  score: number;
}

/** The best split position found so far on the feature being scanned. */
interface ScanResult {
  position: number;
  score: number;
}

/** Grows trees on one {@link TreeData}; holds the scratch buffers of one tree. */
class CartGrower {
  private readonly samples: Int32Array;
  private readonly count: number;
  private readonly order: Int32Array;
  private readonly scratch: Int32Array;
  private readonly keys: Float64Array;
  private readonly buckets: Int32Array;
  private readonly features: Int32Array;
  private readonly nodeCounts: Float64Array;
  private readonly leftCounts: Float64Array;
  private readonly rightCounts: Float64Array;
  private readonly classIndex: Int32Array;
  private readonly targetValues: Float64Array;
  private readonly weights: Float64Array;

  constructor(
    private readonly data: TreeData,
    private readonly options: GrowOptions,
    private readonly rng: Random,
    weights: Float64Array | undefined,
  ) {
    const { n, distinct, outputs } = data;
    this.weights = weights ?? new Float64Array(n).fill(1);
    this.classIndex = data.classIndex ?? new Int32Array(0);
    this.targetValues = data.values ?? new Float64Array(0);
    this.samples = new Int32Array(n);
    let count = 0;
    for (let i = 0; i < n; i++) if (this.weights[i]! > 0) this.samples[count++] = i;
    this.count = count;
    this.order = new Int32Array(count);
    this.scratch = new Int32Array(count);
    this.keys = new Float64Array(count);
    this.buckets = new Int32Array(Math.max(0, ...distinct) + 1);
    this.features = Int32Array.from({ length: data.columns.length }, (_, f) => f);
    this.nodeCounts = new Float64Array(outputs);
    this.leftCounts = new Float64Array(outputs);
    this.rightCounts = new Float64Array(outputs);
  }

  grow(): TreeNodes {
    const { options } = this;
    const tree: TreeNodes = { feature: [], threshold: [], left: [], right: [], values: [] };
    // Pending nodes, depth first: start, end, depth, parent id, whether it is the parent's left child.
    const stack: number[] = [0, this.count, 0, -1, 0];
    while (stack.length > 0) {
      const isLeft = stack.pop()! === 1;
      const parent = stack.pop()!;
      const depth = stack.pop()!;
      const end = stack.pop()!;
      const start = stack.pop()!;
      const m = end - start;
      const stats = this.statistics(start, end);
      const id = tree.feature.length;
      tree.feature.push(-1);
      tree.threshold.push(0);
      tree.left.push(-1);
      tree.right.push(-1);
      tree.values.push(stats.value);
      if (parent >= 0) {
        if (isLeft) tree.left[parent] = id;
        else tree.right[parent] = id;
      }
      if (
        depth >= options.maxDepth ||
        m < options.minSamplesSplit ||
        m < 2 * options.minSamplesLeaf ||
        stats.impurity <= Number.EPSILON
      ) {
        continue;
      }
      const split = this.bestSplit(start, end, stats);
      if (split === undefined) continue;
      const leftEnd = this.partition(start, end, split.feature, split.threshold);
      tree.feature[id] = split.feature;
      tree.threshold[id] = split.threshold;
      stack.push(leftEnd, end, depth + 1, id, 0);
      stack.push(start, leftEnd, depth + 1, id, 1);
    }
    return tree;
  }

  private statistics(start: number, end: number): NodeStatistics {
    const { samples, weights: w } = this;
    const outputs = this.data.outputs;
    let weight = 0;
    if (this.data.classIndex !== undefined) {
      const counts = this.nodeCounts;
      counts.fill(0);
      for (let p = start; p < end; p++) {
        const s = samples[p]!;
        counts[this.classIndex[s]!]! += w[s]!;
        weight += w[s]!;
      }
      const value = new Array<number>(outputs);
      let squares = 0;
      let entropy = 0;
      for (let k = 0; k < outputs; k++) {
        const q = counts[k]! / weight;
        value[k] = q;
        squares += q * q;
        if (q > 0) entropy -= q * Math.log2(q);
      }
      const impurity = this.options.criterion === "entropy" ? entropy : 1 - squares;
      return { weight, impurity, value, sum: 0 };
    }
    let sum = 0;
    let sumSquares = 0;
    for (let p = start; p < end; p++) {
      const s = samples[p]!;
      const ws = w[s]!;
      const y = this.targetValues[s]!;
      weight += ws;
      sum += ws * y;
      sumSquares += ws * y * y;
    }
    const mean = sum / weight;
    // + 0 turns −0 into 0, which survives JSON.
    return { weight, impurity: sumSquares / weight - mean * mean, value: [mean + 0], sum };
  }

  /** Draws features in random order until `maxFeatures` were visited and one was not constant. */
  private bestSplit(start: number, end: number, stats: NodeStatistics): Split | undefined {
    const { features, rng, order } = this;
    const width = features.length;
    const m = end - start;
    const best: Split = { feature: -1, threshold: 0, score: Number.NEGATIVE_INFINITY };
    let visited = 0;
    let constants = 0;
    for (let drawn = 0; drawn < width; drawn++) {
      if (visited >= this.options.maxFeatures && visited > constants) break;
      const pick = drawn + rng.nextInt(width - drawn);
      const f = features[pick]!;
      features[pick] = features[drawn]!;
      features[drawn] = f;
      visited++;
      this.orderRows(f, start, end);
      const rank = this.data.ranks[f]!;
      if (rank[order[0]!]! === rank[order[m - 1]!]!) {
        constants++;
        continue;
      }
      const scan =
        this.data.classIndex !== undefined
          ? this.scanClasses(rank, m, stats, best.score)
          : this.scanValues(rank, m, stats, best.score);
      if (scan.position >= 0) {
        const column = this.data.columns[f]!;
        const a = column[order[scan.position]!]!;
        const b = column[order[scan.position + 1]!]!;
        let threshold = a / 2 + b / 2;
        if (!(threshold < b) || !Number.isFinite(threshold)) threshold = a;
        best.feature = f;
        best.threshold = threshold;
        best.score = scan.score;
      }
    }
    return best.feature >= 0 ? best : undefined;
  }

  /** Writes the node's rows into `order`, sorted by feature `f` (ties in row order). */
  private orderRows(f: number, start: number, end: number): void {
    const { samples, order, buckets, keys } = this;
    const { n } = this.data;
    const rank = this.data.ranks[f]!;
    const distinct = this.data.distinct[f]!;
    const m = end - start;
    if (distinct < m * 8) {
      // Counting sort over ranks.
      buckets.fill(0, 0, distinct + 1);
      for (let p = start; p < end; p++) buckets[rank[samples[p]!]! + 1]!++;
      for (let r = 1; r <= distinct; r++) buckets[r]! += buckets[r - 1]!;
      for (let p = start; p < end; p++) {
        const s = samples[p]!;
        order[buckets[rank[s]!]!++] = s;
      }
      return;
    }
    // Native sort of packed keys `rank · n + row` (exact while rank · n < 2^53).
    for (let p = start; p < end; p++) {
      const s = samples[p]!;
      keys[p - start] = rank[s]! * n + s;
    }
    const view = keys.subarray(0, m);
    view.sort();
    for (let p = 0; p < m; p++) {
      const key = view[p]!;
      order[p] = key - Math.floor(key / n) * n;
    }
  }

  /**
   * Gini: maximise Σ_k L_k²/W_L + Σ_k R_k²/W_R; entropy: maximise Σ L_k ln L_k − W_L ln W_L + (same
   * for R). Both are the weighted impurity decrease up to terms that do not depend on the split.
   */
  private scanClasses(rank: Int32Array, m: number, stats: NodeStatistics, floor: number): ScanResult {
    const { order, weights: w, classIndex, nodeCounts, leftCounts, rightCounts } = this;
    const outputs = this.data.outputs;
    const minLeaf = this.options.minSamplesLeaf;
    const gini = this.options.criterion === "gini";
    leftCounts.fill(0);
    rightCounts.set(nodeCounts);
    let leftTerm = 0;
    let rightTerm = 0;
    for (let k = 0; k < outputs; k++) rightTerm += gini ? nodeCounts[k]! * nodeCounts[k]! : xlogx(nodeCounts[k]!);
    let leftWeight = 0;
    let rightWeight = stats.weight;
    const result: ScanResult = { position: -1, score: floor };
    for (let p = 0; p < m - 1; p++) {
      const s = order[p]!;
      const ws = w[s]!;
      const c = classIndex[s]!;
      const cl = leftCounts[c]!;
      const cr = rightCounts[c]!;
      if (gini) {
        leftTerm += ws * (2 * cl + ws);
        rightTerm -= ws * (2 * cr - ws);
      } else {
        leftTerm += xlogx(cl + ws) - xlogx(cl);
        rightTerm += xlogx(cr - ws) - xlogx(cr);
      }
      leftCounts[c] = cl + ws;
      rightCounts[c] = cr - ws;
      leftWeight += ws;
      rightWeight -= ws;
      if (rank[order[p + 1]!]! === rank[s]!) continue;
      const leftRows = p + 1;
      if (leftRows < minLeaf) continue;
      if (m - leftRows < minLeaf) break;
      const score = gini
        ? leftTerm / leftWeight + rightTerm / rightWeight
        : leftTerm - xlogx(leftWeight) + rightTerm - xlogx(rightWeight);
      if (score > result.score) {
        result.score = score;
        result.position = p;
      }
    }
    return result;
  }

  /** Squared error: maximise S_L²/W_L + S_R²/W_R (S the weighted target sums). */
  private scanValues(rank: Int32Array, m: number, stats: NodeStatistics, floor: number): ScanResult {
    const { order, weights: w, targetValues } = this;
    const minLeaf = this.options.minSamplesLeaf;
    let leftSum = 0;
    let leftWeight = 0;
    let rightWeight = stats.weight;
    const result: ScanResult = { position: -1, score: floor };
    for (let p = 0; p < m - 1; p++) {
      const s = order[p]!;
      const ws = w[s]!;
      leftSum += ws * targetValues[s]!;
      leftWeight += ws;
      rightWeight -= ws;
      if (rank[order[p + 1]!]! === rank[s]!) continue;
      const leftRows = p + 1;
      if (leftRows < minLeaf) continue;
      if (m - leftRows < minLeaf) break;
      const rightSum = stats.sum - leftSum;
      const score = (leftSum * leftSum) / leftWeight + (rightSum * rightSum) / rightWeight;
      if (score > result.score) {
        result.score = score;
        result.position = p;
      }
    }
    return result;
  }

  /** Moves rows with `x[feature] <= threshold` to the front (stably); returns where the right part starts. */
  private partition(start: number, end: number, feature: number, threshold: number): number {
    const { samples, scratch } = this;
    const column = this.data.columns[feature]!;
    let leftEnd = start;
    let rightCount = 0;
    for (let p = start; p < end; p++) {
      const s = samples[p]!;
      if (column[s]! <= threshold) samples[leftEnd++] = s;
      else scratch[rightCount++] = s;
    }
    samples.set(scratch.subarray(0, rightCount), leftEnd);
    return leftEnd;
  }
}

/**
 * Grows one tree. `weights` (integer counts, as from a bootstrap) selects and weighs rows; rows
 * with weight 0 are left out. `min_samples_*` count rows, not weights, as scikit-learn does.
 */
export function growTree(data: TreeData, options: GrowOptions, rng: Random, weights?: Float64Array): TreeNodes {
  return new CartGrower(data, options, rng, weights).grow();
}
