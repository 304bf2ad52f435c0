import { describe, expect, it } from "vitest";
import {
  accuracy,
  confusionMatrix,
  logLoss,
  meanAbsoluteError,
  precisionRecallF1,
  r2Score,
  rocAuc,
  rootMeanSquaredError,
} from "./metrics.js";

// Reference values from scikit-learn 1.2.1 on the same inputs.
const yTrue = ["a", "b", "c", "a", "b", "c", "a", "a", "c", "b"];
const yPred = ["a", "c", "c", "a", "b", "b", "a", "b", "c", "b"];
const probabilities = [
  [0.7, 0.2, 0.1],
  [0.1, 0.3, 0.6],
  [0.2, 0.2, 0.6],
  [0.8, 0.1, 0.1],
  [0.3, 0.5, 0.2],
  [0.1, 0.5, 0.4],
  [0.6, 0.3, 0.1],
  [0.3, 0.4, 0.3],
  [0.2, 0.1, 0.7],
  [0.1, 0.6, 0.3],
];

describe("classification metrics", () => {
  it("accuracy and the confusion matrix", () => {
    expect(accuracy(yTrue, yPred)).toBeCloseTo(0.7, 12);
    expect(confusionMatrix(yTrue, yPred)).toEqual({
      labels: ["a", "b", "c"],
      matrix: [
        [3, 1, 0],
        [0, 2, 1],
        [0, 1, 2],
      ],
    });
  });

  it("precision, recall and F1, macro and weighted", () => {
    const macro = precisionRecallF1(yTrue, yPred, "macro");
    expect(macro.precision).toBeCloseTo(0.7222222222222222, 12);
    expect(macro.recall).toBeCloseTo(0.6944444444444443, 12);
    expect(macro.f1).toBeCloseTo(0.6984126984126985, 12);
    const weighted = precisionRecallF1(yTrue, yPred, "weighted");
    expect(weighted.precision).toBeCloseTo(0.75, 12);
    expect(weighted.recall).toBeCloseTo(0.7, 12);
    expect(weighted.f1).toBeCloseTo(0.7142857142857142, 12);
  });

  it("scores a never-predicted class as 0", () => {
    const scores = precisionRecallF1([0, 0, 1, 1], [0, 0, 0, 0], "macro");
    expect(scores.precision).toBeCloseTo(0.25, 12);
    expect(scores.recall).toBeCloseTo(0.5, 12);
    expect(scores.f1).toBeCloseTo(1 / 3, 12);
  });

  it("log loss and one-vs-rest ROC-AUC", () => {
    expect(logLoss(yTrue, probabilities, ["a", "b", "c"])).toBeCloseTo(0.6486353831575619, 12);
    expect(rocAuc(yTrue, probabilities, ["a", "b", "c"])).toBeCloseTo(0.9216269841269842, 12);
  });

  it("binary ROC-AUC counts ties half; binary log loss", () => {
    const y = [0, 0, 1, 1, 0, 1, 1, 0];
    const s = [0.1, 0.4, 0.35, 0.8, 0.4, 0.9, 0.4, 0.2];
    const p = s.map((v) => [1 - v, v]);
    expect(rocAuc(y, p, [0, 1])).toBeCloseTo(0.8125, 12);
    expect(logLoss(y, p, [0, 1])).toBeCloseTo(0.4555965297311108, 12);
    expect(() =>
      rocAuc(
        [1, 1],
        [
          [0, 1],
          [0, 1],
        ],
        [0, 1],
      ),
    ).toThrow(/only one class/);
  });

  it("refuses mismatched lengths", () => {
    expect(() => accuracy(["a"], ["a", "b"])).toThrow(/1 true values but 2 predictions/);
  });
});

describe("regression metrics", () => {
  const t = [3, -0.5, 2, 7, 4.2];
  const p = [2.5, 0, 2, 8, 3.9];
  it("MAE, RMSE and R²", () => {
    expect(meanAbsoluteError(t, p)).toBeCloseTo(0.46, 12);
    expect(rootMeanSquaredError(t, p)).toBeCloseTo(0.5639148871948674, 12);
    expect(r2Score(t, p)).toBeCloseTo(0.9480256276150627, 12);
    expect(r2Score([1, 1], [1, 1])).toBe(1);
  });
});
