import { describe, expect, it } from "vitest";
import { crossValidate, foldsFromTestRows, kFold, stratifiedKFold } from "./cv.js";
import type { Dataset } from "./dataset.js";

function covers(folds: { train: number[]; test: number[] }[], rows: number): void {
  const seen = new Array<number>(rows).fill(0);
  for (const fold of folds) {
    for (const i of fold.test) seen[i]!++;
    expect(fold.train.length + fold.test.length).toBe(rows);
    expect(new Set([...fold.train, ...fold.test]).size).toBe(rows);
  }
  expect(seen.every((count) => count === 1)).toBe(true);
}

describe("k-fold", () => {
  it("tests every row once, folds differing in size by at most one", () => {
    const folds = kFold(23, { n_splits: 5, random_state: 1 });
    covers(folds, 23);
    expect(folds.map((f) => f.test.length)).toEqual([5, 5, 5, 4, 4]);
  });

  it("is deterministic per seed, and ordered without shuffling", () => {
    expect(kFold(20, { random_state: 3 })).toEqual(kFold(20, { random_state: 3 }));
    expect(kFold(20, { random_state: 3 })).not.toEqual(kFold(20, { random_state: 4 }));
    expect(kFold(6, { n_splits: 3, shuffle: false })[0]!.test).toEqual([0, 1]);
  });

  it("refuses more folds than rows", () => {
    expect(() => kFold(3, { n_splits: 5 })).toThrow(/n_splits=5: there are only 3 rows/);
    expect(() => kFold(3, { n_splits: 1 })).toThrow("Invalid n_splits=1: n_splits must be an integer ≥ 2.");
  });
});

describe("stratified k-fold", () => {
  it("keeps class proportions in every fold", () => {
    const labels = [
      ...new Array<string>(50).fill("a"),
      ...new Array<string>(25).fill("b"),
      ...new Array<string>(10).fill("c"),
    ];
    const folds = stratifiedKFold(labels, { n_splits: 5, random_state: 0 });
    covers(folds, labels.length);
    for (const fold of folds) {
      const count = (label: string) => fold.test.filter((i) => labels[i] === label).length;
      expect(count("a")).toBe(10);
      expect(count("b")).toBe(5);
      expect(count("c")).toBe(2);
    }
  });
});

describe("crossValidate", () => {
  const rows = Array.from({ length: 60 }, (_, i) => Float64Array.from([i % 3, (i * 7) % 11]));
  const data: Dataset = { featureNames: ["a", "b"], rows, target: rows.map((r) => `c${r[0]}`), targetName: "y" };

  it("scores accuracy for classification", () => {
    const result = crossValidate("tree", data, {}, { n_splits: 3 });
    expect(result.metric).toBe("accuracy");
    expect(result.scores).toEqual([1, 1, 1]);
    expect(result.mean).toBe(1);
  });

  it("uses given test folds", () => {
    const tests = [Array.from({ length: 30 }, (_, i) => i), Array.from({ length: 30 }, (_, i) => i + 30)];
    const result = crossValidate("logreg", data, {}, { test_folds: tests });
    expect(result.scores).toHaveLength(2);
    expect(() =>
      foldsFromTestRows(4, [
        [0, 1],
        [1, 2],
      ]),
    ).toThrow(/fold 1 lists row 1/);
  });

  it("scores R² for regression", () => {
    const reg: Dataset = { ...data, target: rows.map((r) => 3 * r[0]! - r[1]! + 0.5) };
    const result = crossValidate("linear", reg, {}, { n_splits: 4 });
    expect(result.metric).toBe("r2");
    for (const score of result.scores) expect(score).toBeCloseTo(1, 9);
  });
});
