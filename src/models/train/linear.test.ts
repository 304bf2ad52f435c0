import { describe, expect, it } from "vitest";
import { readCsvDataset, subset } from "./index.js";
import { trainLogisticRegression, trainRidge } from "./linear.js";
import { predict } from "./predict.js";
import { DIABETES, expectClose, IRIS } from "./test-helpers.js";

// Reference values: scikit-learn 1.2.1, StandardScaler + estimator, fitted on the whole file.
describe("ridge and least squares", () => {
  it("match scikit-learn's Ridge on standardised features", async () => {
    const data = await readCsvDataset(DIABETES);
    const rows = [0, 1, 2, 100].map((i) => data.rows[i]!);
    const ridge = predict(trainRidge(data, { alpha: 1 }), rows).values!;
    expectClose(ridge, [205.48601, 68.634248, 176.264811, 167.872252], 4);
    const strong = predict(trainRidge(data, { alpha: 10 }), rows).values!;
    expectClose(strong, [203.279272, 70.572683, 174.498731, 166.73362], 4);
  });

  it("least squares matches LinearRegression's coefficients", async () => {
    const data = await readCsvDataset(DIABETES);
    const model = trainRidge(data, {}, "linear");
    const expected = [
      -0.036361, -22.859648, 5.602962, 1.116808, -1.089996, 0.74645, 0.372005, 6.533832, 68.483125, 0.280117,
    ];
    expectClose(model.coefficients[0]!, expected, 4);
    expect(model.intercepts[0]).toBeCloseTo(-334.567139, 3);
  });

  it("recovers an exact linear relation, even with a duplicated column", () => {
    const rows = Array.from({ length: 20 }, (_, i) => Float64Array.from([i, (i * 3) % 7, i]));
    const target = rows.map((r) => 1 + 2 * r[0]! - 3 * r[1]!);
    const model = trainRidge({ featureNames: ["a", "b", "a2"], rows, target, targetName: "y" }, {}, "linear");
    const values = predict(model, rows).values!;
    expectClose(values, target, 6);
  });

  it("refuses string targets and negative alpha", async () => {
    const iris = await readCsvDataset(IRIS);
    expect(() => trainRidge(iris)).toThrow(
      /ridge regression needs a numeric target but "species" has the label "setosa" \(row 1\)/,
    );
    const data = await readCsvDataset(DIABETES);
    expect(() => trainRidge(data, { alpha: -1 })).toThrow("Invalid alpha=-1: alpha must be a number ≥ 0.");
  });
});

describe("logistic regression", () => {
  it("matches scikit-learn's multinomial model", async () => {
    const iris = await readCsvDataset(IRIS);
    const model = trainLogisticRegression(iris, { C: 1, tol: 1e-9 });
    expect(model.postTransform).toBe("softmax");
    const p = predict(
      model,
      [0, 50, 100, 149, 70, 83].map((i) => iris.rows[i]!),
    ).probabilities!;
    const expected = [
      [0.984695, 0.015305, 0.0],
      [0.004729, 0.864895, 0.130375],
      [1.5e-5, 0.006225, 0.99376],
      [0.003045, 0.293894, 0.703061],
      [0.012009, 0.440324, 0.547667],
      [0.001678, 0.437252, 0.56107],
    ];
    expectClose(p, expected, 4);
  });

  it("fits two classes with one logistic score", async () => {
    const iris = await readCsvDataset(IRIS);
    const two = subset(
      iris,
      Array.from({ length: 100 }, (_, i) => i + 50),
    );
    const model = trainLogisticRegression(two, { C: 0.5, tol: 1e-9 });
    expect(model.postTransform).toBe("logistic");
    expect(model.coefficients).toHaveLength(1);
    const p = predict(
      model,
      [50, 70, 83, 100, 133].map((i) => iris.rows[i]!),
    ).probabilities!;
    expectClose(
      p.map((row) => row[1]!),
      [0.103142, 0.514091, 0.602835, 0.996324, 0.445082],
      4,
    );
  });

  it("validates C and needs two classes", async () => {
    const iris = await readCsvDataset(IRIS);
    expect(() => trainLogisticRegression(iris, { C: 0 })).toThrow("Invalid C=0: C must be a number > 0.");
    expect(() => trainLogisticRegression(subset(iris, [0, 1, 2]))).toThrow(/at least two classes/);
  });
});
