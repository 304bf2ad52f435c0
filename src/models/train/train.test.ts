import { describe, expect, it } from "vitest";
import type { Dataset } from "./dataset.js";
import { predict } from "./predict.js";
import { resolveTask, train } from "./train.js";

const rows = Array.from({ length: 40 }, (_, i) => Float64Array.from([i, i % 4]));
const labelled: Dataset = {
  featureNames: ["x", "m"],
  rows,
  target: rows.map((r) => (r[0]! < 20 ? "lo" : "hi")),
  targetName: "y",
};
const numeric: Dataset = { ...labelled, target: rows.map((r) => r[0]! * 1.5 + 0.25) };

describe("train", () => {
  it("trains every algorithm and the model survives a JSON round trip", () => {
    for (const algo of ["tree", "rf", "hgb", "logreg"] as const) {
      const model = train(algo, labelled, { random_state: 1, ...(algo === "rf" ? { n_estimators: 5 } : {}) });
      const copy = JSON.parse(JSON.stringify(model));
      expect(copy).toEqual(model);
      expect(
        predict(copy, [
          [5, 1],
          [35, 3],
        ]).labels,
      ).toEqual(["lo", "hi"]);
    }
    for (const algo of ["tree", "rf", "hgb", "linear", "ridge"] as const) {
      const model = train(algo, numeric, { task: "regression", ...(algo === "hgb" ? { min_samples_leaf: 2 } : {}) });
      const [value] = predict(model, [[20, 0]]).values!;
      expect(Math.abs(value! - 30.25)).toBeLessThan(4);
    }
  });

  it("reports progress per tree, per boosting iteration, or once", () => {
    const seen: string[] = [];
    const onProgress = (done: number, total: number) => seen.push(`${done}/${total}`);
    train("rf", labelled, { n_estimators: 3 }, { onProgress });
    train("hgb", labelled, { max_iter: 2 }, { onProgress });
    train("logreg", labelled, {}, { onProgress });
    expect(seen).toEqual(["1/3", "2/3", "3/3", "1/2", "2/2", "1/1"]);
  });

  it("infers the task from the target unless told", () => {
    expect(resolveTask("tree", labelled)).toBe("classification");
    expect(resolveTask("tree", numeric)).toBe("regression");
    expect(resolveTask("tree", numeric, "classification")).toBe("classification");
    expect(resolveTask("ridge", labelled)).toBe("regression");
    expect(() => resolveTask("logreg", numeric, "regression")).toThrow(/task="regression" for logreg/);
  });

  it("names unknown algorithms, unknown parameters and bad values", () => {
    expect(() => train("svm" as never, labelled)).toThrow(/Invalid algo="svm": algo must be one of "tree", "rf"/);
    expect(() => train("rf", labelled, { n_estimator: 5 } as never)).toThrow(
      /Unknown parameter n_estimator for rf; the parameters it takes are .*n_estimators/,
    );
    expect(() => train("rf", labelled, { random_state: -1 })).toThrow(
      "Invalid random_state=-1: random_state must be an integer in [0, 4294967295].",
    );
    expect(() => train("tree", labelled, { random_state: 1, seed: 2 })).toThrow(/disagree/);
    expect(() => train("logreg", labelled, { C: -1 })).toThrow("Invalid C=-1: C must be a number > 0.");
  });

  it("refuses a string target for regression", () => {
    expect(() => train("rf", labelled, { task: "regression" })).toThrow(/rf regression needs a numeric target/);
    expect(() => train("hgb", labelled, { task: "regression" })).toThrow(/hgb regression needs a numeric target/);
  });

  it("refuses rows with missing values", () => {
    const bad: Dataset = { ...labelled, rows: [Float64Array.from([Number.NaN, 0]), ...rows.slice(1)] };
    expect(() => train("tree", bad)).toThrow(/Row 0, feature "x" is NaN/);
  });
});
