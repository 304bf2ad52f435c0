import { describe, expect, it } from "vitest";
import { checkAnswer, findDifference } from "./compare.js";

const exact = { status: 200, tolerance: 0 };

describe("findDifference", () => {
  it("accepts equal values and numbers within the tolerance", () => {
    expect(findDifference(["setosa", 2, true, null], ["setosa", 2, true, null], 0, "p")).toBeUndefined();
    expect(findDifference([0.5, [1, 2]], [0.504, [1.009, 1.995]], 0.01, "p")).toBeUndefined();
    expect(findDifference({ a: 1, b: [2] }, { b: [2], a: 1 }, 0, "p")).toBeUndefined();
  });

  it("names the first difference and its place", () => {
    expect(findDifference(["a", "b"], ["a", "c"], 0, "predictions")).toBe("predictions[1]: expected b, got c");
    expect(findDifference([0.5], [0.52], 0.01, "p")).toBe("p[0]: expected 0.5 ± 0.01, got 0.52");
    expect(findDifference([1], [1.0001], 0, "p")).toBe("p[0]: expected 1, got 1.0001");
    expect(findDifference([1], ["1"], 0, "p")).toBe("p[0]: expected the number 1, got 1");
    expect(findDifference([1, 2], [1], 0, "p")).toBe("p: expected 2 values, got 1 ([1])");
    expect(findDifference([[1]], [1], 0, "p")).toBe("p[0]: expected a list of 1, got 1");
    expect(findDifference({ a: 1 }, { a: 1, b: 2 }, 0, "p")).toBe("p.b: not expected, got 2");
    expect(findDifference({ a: 1, b: 2 }, { a: 1 }, 0, "p")).toBe("p.b: expected 2, got nothing");
    expect(findDifference({ a: 1 }, [1], 0, "p")).toBe("p: expected an object, got [1]");
    expect(findDifference(true, "true", 0, "p")).toBe('p: expected true, got "true"');
    expect(findDifference("a", undefined, 0, "p")).toBe('p: expected "a", got nothing');
  });
});

describe("checkAnswer", () => {
  it("checks the status first, quoting the server's message", () => {
    expect(
      checkAnswer("invocations", { ...exact, predictions: [1] }, { status: 400, body: { message: "bad column" } }),
    ).toBe("status 400, expected 200 (bad column)");
    expect(checkAnswer("v2", { status: 400, tolerance: 0 }, { status: 200, body: { outputs: [] } })).toBe(
      "status 200, expected 400",
    );
    expect(checkAnswer("invocations", { status: 400, tolerance: 0 }, { status: 400, body: {} })).toBeUndefined();
  });

  it("compares /invocations predictions", () => {
    const expect_ = { ...exact, predictions: ["setosa", "virginica"] };
    expect(checkAnswer("invocations", expect_, { status: 200, body: { predictions: ["setosa", "virginica"] } })).toBe(
      undefined,
    );
    expect(checkAnswer("invocations", expect_, { status: 200, body: { predictions: ["setosa", "versicolor"] } })).toBe(
      "predictions[1]: expected virginica, got versicolor",
    );
    expect(checkAnswer("invocations", expect_, { status: 200, body: "oops" })).toBe(
      "the answer has no 'predictions': oops",
    );
  });

  it("compares V2 outputs by name, flat or nested", () => {
    const body = {
      model_name: "iris",
      outputs: [
        { name: "label", datatype: "INT64", shape: [2], data: [0, 2] },
        { name: "probabilities", datatype: "FP32", shape: [2, 2], data: [0.9, 0.1, 0.2, 0.8] },
      ],
    };
    const answer = { status: 200, body };
    expect(checkAnswer("v2", { ...exact, outputs: { label: [0, 2] } }, answer)).toBeUndefined();
    expect(
      checkAnswer(
        "v2",
        {
          status: 200,
          tolerance: 0.05,
          outputs: {
            probabilities: [
              [0.88, 0.12],
              [0.2, 0.8],
            ],
          },
        },
        answer,
      ),
    ).toBeUndefined();
    expect(checkAnswer("v2", { ...exact, outputs: { label: [0, 1] } }, answer)).toBe(
      "outputs.label[1]: expected 1, got 2",
    );
    expect(checkAnswer("v2", { ...exact, outputs: { scores: [1] } }, answer)).toBe(
      "outputs.scores: no such output; the answer has label, probabilities",
    );
    expect(checkAnswer("v2", { ...exact, outputs: { label: [0] } }, { status: 200, body: {} })).toBe(
      "the answer has no 'outputs' list: {}",
    );
  });
});
