/**
 * The quality bar of the built-in trainers: 5-fold cross-validated scores within 0.02 of
 * scikit-learn 1.2.1's (reference/sklearn_scores.md). The folds are scikit-learn's own
 * (`StratifiedKFold(5, shuffle=True, random_state=0)`, `KFold` for diabetes), stored as test-row
 * indices in fixtures/datasets/sklearn_folds.json, so the comparison measures the trainers and not
 * the luck of a fold draw (on these small sets a different draw moves scikit-learn's own score by up
 * to ±0.03).
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Algorithm, crossValidate, type Dataset, readCsvDataset, train } from "../../src/models/train/index.js";

const fixture = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const FILES: Record<string, string> = {
  iris: fixture("../../examples/iris/data/iris.csv"),
  wine: fixture("../fixtures/datasets/wine.csv"),
  breast_cancer: fixture("../fixtures/datasets/breast_cancer.csv"),
  digits: fixture("../fixtures/datasets/digits.csv"),
  diabetes: fixture("../fixtures/datasets/diabetes.csv"),
};
const FOLDS = JSON.parse(readFileSync(fixture("../fixtures/datasets/sklearn_folds.json"), "utf8")) as Record<
  string,
  number[][]
>;

/** reference/sklearn_scores.md: accuracy (classification) or R² (diabetes). */
const REFERENCE: [dataset: string, algo: Algorithm, score: number][] = [
  ["iris", "tree", 0.933],
  ["iris", "rf", 0.94],
  ["iris", "hgb", 0.947],
  ["iris", "logreg", 0.96],
  ["wine", "tree", 0.927],
  ["wine", "rf", 0.972],
  ["wine", "hgb", 0.972],
  ["wine", "logreg", 0.983],
  ["breast_cancer", "tree", 0.926],
  ["breast_cancer", "rf", 0.965],
  ["breast_cancer", "hgb", 0.97],
  ["breast_cancer", "logreg", 0.979],
  ["digits", "tree", 0.859],
  ["digits", "rf", 0.973],
  ["digits", "hgb", 0.973],
  ["digits", "logreg", 0.969],
  ["diabetes", "ridge", 0.49],
  ["diabetes", "rf", 0.419],
  ["diabetes", "hgb", 0.393],
];
const TOLERANCE = 0.02;

const datasets = new Map<string, Dataset>();
const measured: string[] = [];

beforeAll(async () => {
  for (const [name, path] of Object.entries(FILES)) datasets.set(name, await readCsvDataset(path));
});

afterAll(() => {
  if (process.env.LATHE_QUALITY_REPORT)
    console.log(["dataset algo reference measured seconds", ...measured].join("\n"));
});

describe("quality against scikit-learn", () => {
  it.each(REFERENCE)("%s %s within 0.02 of %f", (name, algo, reference) => {
    const data = datasets.get(name)!;
    const started = performance.now();
    const options = { random_state: 0, ...(algo === "rf" ? { n_estimators: 100 } : {}) };
    const { mean } = crossValidate(algo, data, options, { test_folds: FOLDS[name]! });
    measured.push(
      `${name} ${algo} ${reference} ${mean.toFixed(4)} ${((performance.now() - started) / 1000).toFixed(2)}`,
    );
    expect(Math.abs(mean - reference)).toBeLessThanOrEqual(TOLERANCE);
  });
});

describe("determinism", () => {
  it("gives identical model JSON for the same seed, and a different model for another", () => {
    const data = datasets.get("wine")!;
    for (const algo of ["tree", "rf", "hgb", "logreg"] as const) {
      const params =
        algo === "rf"
          ? { n_estimators: 10, random_state: 7 }
          : algo === "hgb"
            ? { max_iter: 20, random_state: 7 }
            : { random_state: 7 };
      const first = JSON.stringify(train(algo, data, params));
      expect(JSON.stringify(train(algo, data, params))).toBe(first);
    }
    const a = JSON.stringify(train("rf", data, { n_estimators: 10, random_state: 1 }));
    const b = JSON.stringify(train("rf", data, { n_estimators: 10, random_state: 2 }));
    expect(a).not.toBe(b);
  });
});
