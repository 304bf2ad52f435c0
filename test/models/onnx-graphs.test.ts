/**
 * OnnxModel on graphs built here: a classifier ending in ZipMap (skl2onnx's default) and a model with
 * several named inputs of different types.
 */
import { describe, expect, it } from "vitest";
import { attr, DataType, encodeModel } from "../../src/models/onnx/proto.js";
import { OnnxModel } from "../../src/models/onnx/runtime.js";
import { exposeZipMapInputs } from "../../src/models/onnx/zipmap.js";

describe("ZipMap outputs", () => {
  /** A LinearClassifier followed by ZipMap, as skl2onnx writes by default. */
  function zipMapModel(): Uint8Array {
    return encodeModel({
      irVersion: 8,
      opsets: [
        { domain: "", version: 15 },
        { domain: "ai.onnx.ml", version: 1 },
      ],
      producerName: "test",
      producerVersion: "0",
      graph: {
        name: "zipmap",
        nodes: [
          {
            opType: "LinearClassifier",
            domain: "ai.onnx.ml",
            inputs: ["float_input"],
            outputs: ["label", "probability_tensor"],
            attributes: [
              attr.floats("coefficients", [1, -1, 0.5, 0.5, -1, 1]),
              attr.floats("intercepts", [0, 0.1, -0.1]),
              attr.ints("classlabels_ints", [4, 5, 6]),
              attr.string("post_transform", "SOFTMAX"),
            ],
          },
          {
            opType: "ZipMap",
            domain: "ai.onnx.ml",
            inputs: ["probability_tensor"],
            outputs: ["output_probability"],
            attributes: [attr.ints("classlabels_int64s", [4, 5, 6])],
          },
        ],
        inputs: [{ name: "float_input", elemType: DataType.FLOAT, shape: [null, 2] }],
        outputs: [
          { name: "label", elemType: DataType.INT64, shape: [null] },
          { name: "output_probability", elemType: DataType.FLOAT, shape: [], mapKeyType: DataType.INT64 },
        ],
      },
    });
  }

  it("finds the ZipMap and exposes the tensor it zips", () => {
    const { model, zipMaps } = exposeZipMapInputs(zipMapModel());
    expect(zipMaps).toEqual([
      { output: "output_probability", probabilities: "probability_tensor", classes: [4, 5, 6] },
    ]);
    expect(model.length).toBeGreaterThan(zipMapModel().length);
    const plain = Uint8Array.from([1, 2, 3]);
    expect(exposeZipMapInputs(plain).model).toBe(plain);
  });

  it("predicts labels and probabilities from a ZipMap model", async () => {
    const onnx = await OnnxModel.load(zipMapModel());
    const result = await onnx.predict([
      [1, 2],
      [3, -1],
    ]);
    expect(result.classes).toEqual([4, 5, 6]);
    const scores = [
      [1 - 2, 0.5 + 1 + 0.1, -1 + 2 - 0.1],
      [3 + 1, 1.5 - 0.5 + 0.1, -3 - 1 - 0.1],
    ];
    const expected = scores.map((row) => {
      const exps = row.map(Math.exp);
      const total = exps.reduce((a, b) => a + b, 0);
      return exps.map((value) => value / total);
    });
    result.probabilities?.forEach((row, index) => {
      row.forEach((value, k) => {
        expect(value).toBeCloseTo(expected[index]?.[k] as number, 5);
      });
    });
    expect(result.label).toEqual([5, 4]);
    await onnx.close();
  });
});

describe("models with several named inputs", () => {
  /** Two [N, 1] inputs concatenated into a linear regressor: y = 2a - b + 1. */
  function twoInputModel(): Uint8Array {
    return encodeModel({
      irVersion: 8,
      opsets: [
        { domain: "", version: 15 },
        { domain: "ai.onnx.ml", version: 1 },
      ],
      producerName: "test",
      producerVersion: "0",
      graph: {
        name: "two_inputs",
        nodes: [
          { opType: "Cast", inputs: ["b"], outputs: ["b_float"], attributes: [attr.int("to", DataType.FLOAT)] },
          { opType: "Concat", inputs: ["a", "b_float"], outputs: ["features"], attributes: [attr.int("axis", 1)] },
          {
            opType: "LinearRegressor",
            domain: "ai.onnx.ml",
            inputs: ["features"],
            outputs: ["variable"],
            attributes: [attr.floats("coefficients", [2, -1]), attr.floats("intercepts", [1])],
          },
        ],
        inputs: [
          { name: "a", elemType: DataType.FLOAT, shape: [null, 1] },
          { name: "b", elemType: DataType.INT64, shape: [null, 1] },
        ],
        outputs: [{ name: "variable", elemType: DataType.FLOAT, shape: [null, 1] }],
      },
    });
  }

  it("feeds each input from the column of its name, in its own type", async () => {
    const onnx = await OnnxModel.load(twoInputModel());
    expect(onnx.inputs.map((input) => [input.name, input.type])).toEqual([
      ["a", "float32"],
      ["b", "int64"],
    ]);
    expect((await onnx.predict({ b: [1, 4], a: [0.5, 3] })).prediction).toEqual([1, 3]);
    expect((await onnx.predict([{ a: 1, b: 2 }])).prediction).toEqual([1]);
    await expect(onnx.predict({ a: [1] })).rejects.toThrow(/Column 'b' is missing: the model's inputs are 'a', 'b'/);
    await expect(onnx.predict({ a: [1], b: [1.5] })).rejects.toThrow(
      /column 'b' is 1.5, but the model takes whole numbers/,
    );
    await expect(onnx.predict({ a: [1], b: [1], c: [2] })).rejects.toThrow(/Column 'c' is not an input/);
    await expect(onnx.predict([[1, 2]])).rejects.toThrow(/2 named inputs \(a, b\): send named columns/);
    await onnx.close();
  });
});
