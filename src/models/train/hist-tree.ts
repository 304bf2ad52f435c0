/**
 * @module models/train/hist-tree
 * Growing one gradient-boosting tree on binned features, best first: the leaf whose best split
 * gains most is split next, until `maxLeafNodes` leaves. A node's histogram holds, per feature and
 * bin, the sums of gradients and hessians and the row count; only the smaller child's histogram is
 * built from rows, the larger one's is the parent's minus it.
 *
 * Split gain (second-order, L2 `λ`): G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ); a leaf's value is
 * −G/(H+λ), before the learning rate.
 */

/** Binned training rows shared by every tree of a boosting run. */
export interface HistData {
  /** One column of bin indices per feature. */
  bins: Uint8Array[];
  /**
   * Row-major, for building histograms row by row: for each row and each feature with two or more
   * bins, the position of the row's bin in a histogram (`(offset + bin) · 3`).
   */
  slots: Uint16Array | Uint32Array;
  /** Features with two or more bins (the only ones a split can use). */
  active: Int32Array;
  /** Bins per feature. */
  binCounts: Int32Array;
  /** Offset of each feature's bins in a histogram. */
  offsets: Int32Array;
  totalBins: number;
}

export interface HistGrowOptions {
  maxLeafNodes: number;
  maxDepth: number;
  minSamplesLeaf: number;
  l2: number;
}

/** A grown tree: nodes in creation order, splits on bins, raw leaf values. */
export interface HistTree {
  feature: number[];
  /** Bin index b of the split `bin ≤ b → left`; -1 at leaves. */
  bin: number[];
  left: number[];
  right: number[];
  /** −G/(H+λ) per node. */
  value: number[];
  /** For each leaf, its node id and its rows: `samples[start, end)`. */
  leaves: { node: number; start: number; end: number }[];
}

const MIN_HESSIAN_TO_SPLIT = 1e-3;

/** Stride of one bin in a histogram: gradient sum, hessian sum, count. */
const STRIDE = 3;

interface Candidate {
  node: number;
  start: number;
  end: number;
  depth: number;
  gradient: number;
  hessian: number;
  histogram: Float64Array;
  gain: number;
  feature: number;
  bin: number;
}

/** Lays out binned columns for histogram building; `edgeCounts[f]` is the number of edges of feature `f`. */
export function prepareHistData(bins: Uint8Array[], edgeCounts: readonly number[]): HistData {
  const binCounts = Int32Array.from(edgeCounts, (count) => count + 1);
  const offsets = new Int32Array(bins.length);
  let total = 0;
  for (let f = 0; f < bins.length; f++) {
    offsets[f] = total;
    total += binCounts[f]!;
  }
  const active = Int32Array.from(binCounts.map((count, f) => (count > 1 ? f : -1)).filter((f) => f >= 0));
  const rows = bins.length > 0 ? bins[0]!.length : 0;
  const width = active.length;
  const slots = total * STRIDE <= 0xffff ? new Uint16Array(rows * width) : new Uint32Array(rows * width);
  for (let a = 0; a < width; a++) {
    const f = active[a]!;
    const column = bins[f]!;
    const base = offsets[f]!;
    for (let i = 0; i < rows; i++) slots[i * width + a] = (base + column[i]!) * STRIDE;
  }
  return { bins, slots, active, binCounts, offsets, totalBins: total };
}

/** Grows the trees of one boosting run, reusing histogram buffers between nodes and trees. */
export class HistGrower {
  private readonly pool: Float64Array[] = [];
  private readonly scratch: Int32Array;

  constructor(
    private readonly data: HistData,
    rows: number,
  ) {
    this.scratch = new Int32Array(rows);
  }

  private take(): Float64Array {
    return this.pool.pop() ?? new Float64Array(this.data.totalBins * STRIDE);
  }

  private build(
    histogram: Float64Array,
    samples: Int32Array,
    start: number,
    end: number,
    g: Float64Array,
    h: Float64Array,
  ) {
    histogram.fill(0);
    const m = end - start;
    const { slots, active } = this.data;
    const width = active.length;
    for (let p = 0; p < m; p++) {
      const s = samples[start + p]!;
      const rowBase = s * width;
      const gp = g[s]!;
      const hp = h[s]!;
      for (let a = 0; a < width; a++) {
        const index = slots[rowBase + a]!;
        histogram[index]! += gp;
        histogram[index + 1]! += hp;
        histogram[index + 2]! += 1;
      }
    }
  }

  private findSplit(candidate: Candidate, options: HistGrowOptions): void {
    const { binCounts, offsets, active } = this.data;
    const histogram = candidate.histogram;
    const count = candidate.end - candidate.start;
    const { l2, minSamplesLeaf } = options;
    const g = candidate.gradient;
    const h = candidate.hessian;
    const parentTerm = (g * g) / (h + l2);
    let bestGain = 0;
    let bestFeature = -1;
    let bestBin = -1;
    for (let a = 0; a < active.length; a++) {
      const f = active[a]!;
      const last = binCounts[f]! - 1;
      let index = offsets[f]! * STRIDE;
      let gl = 0;
      let hl = 0;
      let cl = 0;
      for (let b = 0; b < last; b++, index += STRIDE) {
        gl += histogram[index]!;
        hl += histogram[index + 1]!;
        cl += histogram[index + 2]!;
        if (cl < minSamplesLeaf || hl < MIN_HESSIAN_TO_SPLIT) continue;
        if (count - cl < minSamplesLeaf) break;
        const hr = h - hl;
        if (hr < MIN_HESSIAN_TO_SPLIT) break;
        const gr = g - gl;
        const gain = (gl * gl) / (hl + l2) + (gr * gr) / (hr + l2) - parentTerm;
        if (gain > bestGain) {
          bestGain = gain;
          bestFeature = f;
          bestBin = b;
        }
      }
    }
    candidate.gain = bestGain;
    candidate.feature = bestFeature;
    candidate.bin = bestBin;
  }

  /**
   * Grows a tree on rows `samples[0, count)` (reordered in place so each leaf's rows are contiguous)
   * with per-row gradients and hessians.
   */
  grow(samples: Int32Array, count: number, g: Float64Array, h: Float64Array, options: HistGrowOptions): HistTree {
    const tree: HistTree = { feature: [], bin: [], left: [], right: [], value: [], leaves: [] };
    const l2 = options.l2;
    const addNode = (gradient: number, hessian: number): number => {
      tree.feature.push(-1);
      tree.bin.push(-1);
      tree.left.push(-1);
      tree.right.push(-1);
      // 0 − g/h rather than −g/h, so a zero gradient gives 0 and not −0 (which JSON cannot keep).
      tree.value.push(0 - gradient / (hessian + l2));
      return tree.value.length - 1;
    };
    let gradient = 0;
    let hessian = 0;
    for (let p = 0; p < count; p++) {
      gradient += g[samples[p]!]!;
      hessian += h[samples[p]!]!;
    }
    const root: Candidate = {
      node: addNode(gradient, hessian),
      start: 0,
      end: count,
      depth: 0,
      gradient,
      hessian,
      histogram: this.take(),
      gain: 0,
      feature: -1,
      bin: -1,
    };
    this.build(root.histogram, samples, 0, count, g, h);
    const open: Candidate[] = [];
    const consider = (candidate: Candidate): void => {
      const rows = candidate.end - candidate.start;
      if (candidate.depth < options.maxDepth && rows >= 2 * options.minSamplesLeaf) {
        this.findSplit(candidate, options);
      }
      if (candidate.feature >= 0) open.push(candidate);
      else this.close(tree, candidate);
    };
    consider(root);
    let leafCount = 1;
    while (open.length > 0 && leafCount < options.maxLeafNodes) {
      let pick = 0;
      for (let i = 1; i < open.length; i++) if (open[i]!.gain > open[pick]!.gain) pick = i;
      const parent = open[pick]!;
      open.splice(pick, 1);
      const [left, right] = this.split(tree, parent, samples, g, h, addNode);
      leafCount++;
      consider(left);
      consider(right);
    }
    for (const candidate of open) this.close(tree, candidate);
    return tree;
  }

  private close(tree: HistTree, candidate: Candidate): void {
    tree.leaves.push({ node: candidate.node, start: candidate.start, end: candidate.end });
    this.pool.push(candidate.histogram);
  }

  private split(
    tree: HistTree,
    parent: Candidate,
    samples: Int32Array,
    g: Float64Array,
    h: Float64Array,
    addNode: (gradient: number, hessian: number) => number,
  ): [Candidate, Candidate] {
    const { start, end, feature, bin } = parent;
    const column = this.data.bins[feature]!;
    let leftEnd = start;
    let rightCount = 0;
    let leftGradient = 0;
    let leftHessian = 0;
    for (let p = start; p < end; p++) {
      const s = samples[p]!;
      if (column[s]! <= bin) {
        samples[leftEnd++] = s;
        leftGradient += g[s]!;
        leftHessian += h[s]!;
      } else this.scratch[rightCount++] = s;
    }
    samples.set(this.scratch.subarray(0, rightCount), leftEnd);
    const rightGradient = parent.gradient - leftGradient;
    const rightHessian = parent.hessian - leftHessian;
    const leftNode = addNode(leftGradient, leftHessian);
    const rightNode = addNode(rightGradient, rightHessian);
    tree.feature[parent.node] = feature;
    tree.bin[parent.node] = bin;
    tree.left[parent.node] = leftNode;
    tree.right[parent.node] = rightNode;
    const left: Candidate = {
      node: leftNode,
      start,
      end: leftEnd,
      depth: parent.depth + 1,
      gradient: leftGradient,
      hessian: leftHessian,
      histogram: this.take(),
      gain: 0,
      feature: -1,
      bin: -1,
    };
    const right: Candidate = {
      node: rightNode,
      start: leftEnd,
      end,
      depth: parent.depth + 1,
      gradient: rightGradient,
      hessian: rightHessian,
      histogram: parent.histogram,
      gain: 0,
      feature: -1,
      bin: -1,
    };
    // Build the smaller child's histogram; the larger one's is the parent's minus it.
    const [small, large] = leftEnd - start <= end - leftEnd ? [left, right] : [right, left];
    if (small === right) {
      right.histogram = left.histogram;
      left.histogram = parent.histogram;
    }
    this.build(small.histogram, samples, small.start, small.end, g, h);
    const big = large.histogram;
    const little = small.histogram;
    for (let i = 0; i < big.length; i++) big[i]! -= little[i]!;
    return [left, right];
  }
}
