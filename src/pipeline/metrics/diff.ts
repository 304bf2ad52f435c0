/**
 * @module pipeline/metrics/diff
 * Comparing the values of files at two revisions, key by key, as `metrics diff` and `params diff`
 * report them: changed, new (absent before), deleted (absent after), and with `all` unchanged too.
 */
import { type FlatValues, numericChange, type Scalar, sameValue } from "./values.js";

/** Values of each file (repo-relative path) at one revision; a missing file has no entry. */
export type FileValues = Map<string, FlatValues>;

/** How a key changed between the two revisions. */
export type ChangeState = "modified" | "new" | "deleted" | "unchanged";

/** One key of one file compared across two revisions. */
export interface ValueChange {
  path: string;
  key: string;
  /** Absent when the key (or its file) did not exist at the first revision. */
  old?: Scalar;
  /** Absent when the key (or its file) does not exist at the second revision. */
  new?: Scalar;
  /** `new - old` when both are numbers. */
  change?: number;
  state: ChangeState;
}

function stateOf(before: Scalar | undefined, after: Scalar | undefined): ChangeState {
  if (before === undefined) return "new";
  if (after === undefined) return "deleted";
  return sameValue(before, after) ? "unchanged" : "modified";
}

/**
 * Compares two revisions' values. Files and keys keep the order they first appear in (the first
 * revision, then what only the second has). Unchanged keys are left out unless `all`.
 */
export function diffFileValues(before: FileValues, after: FileValues, options: { all?: boolean } = {}): ValueChange[] {
  const paths = [...new Set([...before.keys(), ...after.keys()])];
  const changes: ValueChange[] = [];
  for (const path of paths) {
    const a = before.get(path) ?? new Map<string, Scalar>();
    const b = after.get(path) ?? new Map<string, Scalar>();
    for (const key of new Set([...a.keys(), ...b.keys()])) {
      const old = a.get(key);
      const value = b.get(key);
      const state = stateOf(old, value);
      if (state === "unchanged" && !options.all) continue;
      const change = numericChange(old, value);
      changes.push({
        path,
        key,
        ...(old === undefined ? {} : { old }),
        ...(value === undefined ? {} : { new: value }),
        ...(change === undefined ? {} : { change }),
        state,
      });
    }
  }
  return changes;
}

/** Keeps the keys of `values` that `keys` select: a key itself or anything below it (`train` → `train.lr`). */
export function selectKeys(values: FlatValues, keys: readonly string[] | "all"): FlatValues {
  if (keys === "all") return values;
  const selected: FlatValues = new Map();
  for (const [key, value] of values) {
    if (keys.some((wanted) => key === wanted || key.startsWith(`${wanted}.`))) selected.set(key, value);
  }
  return selected;
}
