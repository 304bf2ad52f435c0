/**
 * @module models/train/binning
 * Bins features for histogram gradient boosting. A feature with at most `maxBins` distinct values
 * gets one bin per value (edges at the midpoints between neighbours); otherwise the edges are
 * quantiles of the column. A value's bin is the number of edges strictly below it, so
 * `bin ≤ b` exactly when `value ≤ edges[b]`: a split on bins exports as a real threshold.
 */

/** Per feature, the ascending bin edges; feature `f` has `edges[f].length + 1` bins. */
export interface BinEdges {
  edges: Float64Array[];
}

function quantile(sorted: Float64Array, q: number): number {
  const position = q * (sorted.length - 1);
  const lower = Math.floor(position);
  const upper = Math.min(lower + 1, sorted.length - 1);
  // The midpoint of the two neighbouring order statistics, as numpy's "midpoint" method.
  return position === lower ? sorted[lower]! : (sorted[lower]! + sorted[upper]!) / 2;
}

/** Computes bin edges for every column (row-major rows). */
export function computeBinEdges(rows: readonly Float64Array[], maxBins: number): BinEdges {
  const n = rows.length;
  const width = n > 0 ? rows[0]!.length : 0;
  const edges: Float64Array[] = [];
  const column = new Float64Array(n);
  for (let f = 0; f < width; f++) {
    for (let i = 0; i < n; i++) column[i] = rows[i]![f]!;
    column.sort();
    const distinct: number[] = [];
    for (let i = 0; i < n; i++) if (i === 0 || column[i]! !== column[i - 1]!) distinct.push(column[i]!);
    const cut: number[] = [];
    if (distinct.length <= maxBins) {
      for (let i = 0; i + 1 < distinct.length; i++) {
        const a = distinct[i]!;
        const b = distinct[i + 1]!;
        const mid = a / 2 + b / 2;
        cut.push(mid < b ? mid : a);
      }
    } else {
      for (let i = 1; i < maxBins; i++) {
        const edge = quantile(column, i / maxBins);
        if (cut.length === 0 || edge > cut[cut.length - 1]!) cut.push(edge);
      }
      // No edge at or above the largest value: that would leave an empty last bin.
      while (cut.length > 0 && cut[cut.length - 1]! >= distinct[distinct.length - 1]!) cut.pop();
    }
    edges.push(Float64Array.from(cut));
  }
  return { edges };
}

/** The bin of one value: how many edges lie strictly below it. */
export function binOf(edges: Float64Array, value: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (edges[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Bins row-major rows into one Uint8Array column per feature. */
export function binRows(rows: readonly Float64Array[], binEdges: BinEdges): Uint8Array[] {
  return binEdges.edges.map((edges, f) => {
    const column = new Uint8Array(rows.length);
    for (let i = 0; i < rows.length; i++) column[i] = binOf(edges, rows[i]![f]!);
    return column;
  });
}
