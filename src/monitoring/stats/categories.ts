/**
 * @module monitoring/stats/categories
 * Category counts for the categorical tests: the categories are the union of both samples, so a
 * value seen only in the current data still counts (Alibi Detect's fix for unseen categories).
 * Missing values (null, undefined, NaN, "") are dropped.
 */

export type Category = string | number | boolean;
export type CategoricalInput = readonly (Category | null | undefined)[];

export interface CategoryCounts {
  /** The union of categories, sorted (numbers numerically, then strings). */
  categories: Category[];
  reference: number[];
  current: number[];
  referenceTotal: number;
  currentTotal: number;
}

function isMissing(value: Category | null | undefined): value is null | undefined {
  return value === null || value === undefined || value === "" || (typeof value === "number" && Number.isNaN(value));
}

function compareCategories(a: Category, b: Category): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a === "number") return -1;
  if (typeof b === "number") return 1;
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

function tally(values: CategoricalInput, into: Map<Category, [number, number]>, slot: 0 | 1): number {
  let total = 0;
  for (const value of values) {
    if (isMissing(value)) continue;
    let entry = into.get(value);
    if (entry === undefined) {
      entry = [0, 0];
      into.set(value, entry);
    }
    entry[slot]++;
    total++;
  }
  return total;
}

/** Counts each category in both samples over their union. */
export function countCategories(reference: CategoricalInput, current: CategoricalInput): CategoryCounts {
  const counts = new Map<Category, [number, number]>();
  const referenceTotal = tally(reference, counts, 0);
  const currentTotal = tally(current, counts, 1);
  const categories = [...counts.keys()].sort(compareCategories);
  return {
    categories,
    reference: categories.map((category) => counts.get(category)![0]),
    current: categories.map((category) => counts.get(category)![1]),
    referenceTotal,
    currentTotal,
  };
}
