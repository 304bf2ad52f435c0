/**
 * @module monitoring/detect-mmd
 * Multivariate drift by MMD² (Alibi Detect's MMDDrift) over a table's numeric columns. Rows with a
 * missing value are dropped; large samples are subsampled (seeded) to keep the kernel matrix small.
 */
import { invalidParameter } from "../core/errors.js";
import { type ColumnDrift, checkPVal, type DriftReport, summarise } from "./report.js";
import { mmdDrift } from "./stats/mmd.js";
import { seededRandom, shuffle } from "./stats/random.js";
import type { Table } from "./table.js";

export interface MmdDriftOptions {
  columns?: readonly string[];
  pVal?: number;
  permutations?: number;
  seed?: number;
  sigma?: number;
  /**
   * Scale every column by the reference's mean and standard deviation before the kernel (default
   * true), so one wide-ranged column does not swamp the others. Alibi Detect leaves this to a
   * `preprocess_fn`; pass false for its raw behaviour.
   */
  standardize?: boolean;
  /**
   * Rows per sample above which a seeded random subset of this size is tested (default 2,000): the
   * kernel matrix grows with the square of the rows.
   */
  maxRows?: number;
}

/** A seeded random subset of `rows` of at most `limit` rows, in their original order. */
function subsample(rows: number[][], limit: number, seed: number): number[][] {
  if (rows.length <= limit) return rows;
  const random = seededRandom(seed);
  const order = new Uint32Array(rows.length);
  for (let i = 0; i < rows.length; i++) order[i] = i;
  shuffle(order, random);
  return Array.from(order.subarray(0, limit).sort(), (index) => rows[index]!);
}

function numericRows(table: Table, names: readonly string[], which: string): number[][] {
  const columns = names.map((name) => {
    const column = table.columns.find((candidate) => candidate.name === name);
    if (column === undefined)
      throw invalidParameter(`Column '${name}' is not in the ${which} data; add it or leave it out with --columns.`);
    if (column.kind !== "numeric")
      throw invalidParameter(
        `MMD needs numeric columns, but '${name}' is categorical in the ${which} data; leave it out with --columns.`,
      );
    return column.values;
  });
  const rows: number[][] = [];
  for (let r = 0; r < table.rowCount; r++) {
    const row = columns.map((values) => values[r]!);
    if (row.every(Number.isFinite)) rows.push(row);
  }
  return rows;
}

/** z-scores every column of both row sets with the reference's mean and population std (1 if 0). */
function standardizeRows(reference: number[][], current: number[][]): void {
  const width = reference[0]?.length ?? 0;
  for (let f = 0; f < width; f++) {
    let mean = 0;
    for (const row of reference) mean += row[f]!;
    mean /= reference.length;
    let variance = 0;
    for (const row of reference) variance += (row[f]! - mean) ** 2;
    const std = Math.sqrt(variance / reference.length) || 1;
    for (const rows of [reference, current]) for (const row of rows) row[f] = (row[f]! - mean) / std;
  }
}

/** Multivariate drift by MMD² over the numeric columns (all of them unless `columns` is given). */
export function detectMmdDrift(reference: Table, current: Table, options: MmdDriftOptions = {}): DriftReport {
  const pVal = options.pVal ?? 0.05;
  checkPVal(pVal);
  const names =
    options.columns && options.columns.length > 0
      ? [...options.columns]
      : reference.columns.filter((column) => column.kind === "numeric").map((column) => column.name);
  if (names.length === 0)
    throw invalidParameter("MMD needs at least one numeric column; the reference has none (list them with --columns).");
  const maxRows = options.maxRows ?? 2000;
  if (!(Number.isInteger(maxRows) && maxRows >= 2))
    throw invalidParameter(`maxRows must be a whole number ≥ 2, got ${maxRows}.`);
  const seed = options.seed ?? 0;
  const allReference = numericRows(reference, names, "reference");
  const allCurrent = numericRows(current, names, "current");
  const a = subsample(allReference, maxRows, seed);
  const b = subsample(allCurrent, maxRows, seed + 1);
  if (options.standardize !== false && a.length > 0) standardizeRows(a, b);
  const permutations = options.permutations ?? 100;
  const result = mmdDrift(a, b, { permutations, seed, sigma: options.sigma, pVal });
  const column: ColumnDrift = {
    column: names.join(","),
    type: "numeric",
    test: "mmd",
    statistic: result.statistic,
    p_value: result.pValue,
    threshold: pVal,
    drift: result.pValue < pVal,
    reference_count: a.length,
    current_count: b.length,
  };
  return {
    ...summarise([column], { correction: "bonferroni", pVal, driftShare: 1 }),
    mmd: {
      sigma: result.sigma,
      distance_threshold: result.distanceThreshold,
      permutations,
      subsampled: a.length < allReference.length || b.length < allCurrent.length,
    },
  };
}
