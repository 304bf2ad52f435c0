import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { LatheError } from "../../src/core/errors.js";
import { OnnxModel } from "../../src/models/onnx/runtime.js";

const FIXTURES = join(import.meta.dirname, "../fixtures/onnx");

interface Expected {
  model: string;
  kind: "classifier" | "regressor";
  columns: string[];
  rows: number[][];
  label?: (string | number)[];
  labels?: (string | number)[];
  probabilities?: number[][];
  prediction?: number[];
}

const fixtures = readdirSync(FIXTURES)
  .filter((file) => file.endsWith(".expected.json"))
  .map((file) => JSON.parse(readFileSync(join(FIXTURES, file), "utf8")) as Expected);

function expectClose(actual: readonly number[], expected: readonly number[], tolerance: number): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((value, index) => {
    expect(
      Math.abs(value - (expected[index] as number)),
      `index ${index}: ${value} vs ${expected[index]}`,
    ).toBeLessThan(tolerance);
  });
}

describe("OnnxModel on scikit-learn fixtures", () => {
  const opened: OnnxModel[] = [];
  afterAll(async () => {
    for (const model of opened) await model.close();
  });

  it("finds four fixtures", () => {
    expect(fixtures.map((fixture) => fixture.model).sort()).toEqual([
      "diabetes_linreg.onnx",
      "digits_mlp.onnx",
      "iris_logreg.onnx",
      "iris_tree.onnx",
    ]);
  });

  for (const fixture of fixtures) {
    it(`reproduces ${fixture.model} from rows`, async () => {
      const model = await OnnxModel.load(join(FIXTURES, fixture.model), {
        ...(fixture.labels ? { classLabels: fixture.labels } : {}),
      });
      opened.push(model);
      const result = await model.predict(fixture.rows);
      if (fixture.kind === "classifier") {
        expect(result.label).toEqual(fixture.label);
        const probabilities = result.probabilities ?? [];
        expect(probabilities.length).toBe(fixture.rows.length);
        probabilities.forEach((row, index) => {
          expectClose(row, fixture.probabilities?.[index] ?? [], 1e-4);
        });
      } else {
        // The expected predictions are rounded to 3 decimals; compare relative to their size.
        (result.prediction as number[]).forEach((value, index) => {
          const expected = fixture.prediction?.[index] as number;
          expect(Math.abs(value - expected) / Math.max(1, Math.abs(expected))).toBeLessThan(1e-4);
        });
      }
    });

    it(`reproduces ${fixture.model} from named columns in another order`, async () => {
      const model = await OnnxModel.load(join(FIXTURES, fixture.model), {
        featureNames: fixture.columns,
        ...(fixture.labels ? { classLabels: fixture.labels } : {}),
      });
      opened.push(model);
      const reversed = [...fixture.columns].reverse();
      const records = fixture.rows.map((row) =>
        Object.fromEntries(reversed.map((column) => [column, row[fixture.columns.indexOf(column)] as number])),
      );
      const result = await model.predict(records);
      const direct = await model.predict({ columns: fixture.columns, rows: fixture.rows });
      expect(result.label).toEqual(direct.label);
      expect(result.prediction).toEqual(direct.prediction);
      expect(result.probabilities).toEqual(direct.probabilities);
    });
  }

  it("reports metadata", async () => {
    const model = await OnnxModel.load(join(FIXTURES, "iris_logreg.onnx"));
    opened.push(model);
    expect(model.inputs).toEqual([{ name: "input", type: "float32", shape: ["", 4], isTensor: true }]);
    expect(model.outputs.map((output) => output.name)).toEqual(["label", "probabilities"]);
    // Read from the LinearClassifier node, which onnxruntime does not report.
    expect(model.classLabels).toEqual(["setosa", "versicolor", "virginica"]);
    expect((await model.predict([[5.1, 3.5, 1.4, 0.2]])).classes).toEqual(["setosa", "versicolor", "virginica"]);
  });

  it("refuses bad input with a LatheError naming the problem", async () => {
    const model = await OnnxModel.load(join(FIXTURES, "iris_logreg.onnx"), {
      featureNames: ["a", "b", "c", "d"],
    });
    opened.push(model);
    await expect(model.predict([[1, 2, 3]])).rejects.toThrow(/Row 0 has 3 values, but input 'input' takes 4/);
    await expect(model.predict([])).rejects.toThrow(/empty/);
    await expect(model.predict([[1, 2, "x", 4]])).rejects.toThrow(/Row 0, feature 2 is 'x'/);
    await expect(model.predict({ a: [1], b: [2], c: [3] })).rejects.toThrow(/Column 'd' is missing/);
    await expect(model.predict({ a: [1], b: [2], c: [3], d: [4], e: [5] })).rejects.toThrow(
      /Column 'e' is not an input/,
    );
    await expect(model.predict({ a: [1, 2], b: [2], c: [3], d: [4] })).rejects.toBeInstanceOf(LatheError);
    await expect(OnnxModel.load(Uint8Array.from([1, 2, 3]))).rejects.toThrow(/Cannot load the ONNX model/);
  });
});
