/**
 * @module monitoring/stats/sample
 * Turning caller input into what the tests work on: finite values, sorted once, in typed arrays.
 * NaN marks a missing value and is dropped; the tests never see it.
 */
import { invalidParameter } from "../../core/errors.js";
import { sortNumbers } from "./radix-sort.js";

export type NumericInput = Float64Array | readonly number[];

/** A sorted copy of `values` without NaN (±Infinity are kept). */
export function sortedFinite(values: NumericInput): Float64Array {
  return sortNumbers(values);
}

/** Throws a LatheError when a sample has no usable value. */
export function requireNonEmpty(sample: { length: number }, label: string, test: string): void {
  if (sample.length === 0)
    throw invalidParameter(
      `${label} has no values to compare (${test} needs at least one non-missing value in each sample); ` +
        "check that the column is filled in both datasets, or leave it out with --columns.",
    );
}

/**
 * Average (mid) ranks of `values` within the pooled sample, 1-based, plus the tie groups' sizes.
 * Works on a sorted copy so the cost is one sort.
 */
export function midranks(values: Float64Array): { ranks: Float64Array; tieSizes: number[] } {
  const n = values.length;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => values[a]! - values[b]!);
  const ranks = new Float64Array(n);
  const tieSizes: number[] = [];
  let start = 0;
  while (start < n) {
    let end = start + 1;
    while (end < n && values[order[end]!] === values[order[start]!]) end++;
    const rank = (start + 1 + end) / 2;
    for (let i = start; i < end; i++) ranks[order[i]!] = rank;
    tieSizes.push(end - start);
    start = end;
  }
  return { ranks, tieSizes };
}

/** The two samples concatenated: x first, then y. */
export function pooled(x: Float64Array, y: Float64Array): Float64Array {
  const all = new Float64Array(x.length + y.length);
  all.set(x, 0);
  all.set(y, x.length);
  return all;
}
