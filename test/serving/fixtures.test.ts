/**
 * Every fixture model, served through both protocols, reproduces what scikit-learn predicted:
 * labels exactly, probabilities and regression values within 1e-4.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Expected,
  FIXTURES,
  ONNX_FIXTURES,
  readExpected,
  type ServingUnderTest,
  startServing,
} from "./helpers.js";

function expectClose(actual: unknown, expected: readonly number[], tolerance: number): void {
  const values = actual as number[];
  expect(values).toHaveLength(expected.length);
  values.forEach((value, index) => {
    const want = expected[index] as number;
    expect(Math.abs(value - want), `index ${index}: ${value} vs ${want}`).toBeLessThanOrEqual(
      tolerance * Math.max(1, Math.abs(want)),
    );
  });
}

function checkMlflow(expected: Expected, predictions: unknown): void {
  if (expected.kind === "classifier") expect(predictions).toEqual(expected.label);
  else expectClose(predictions, expected.prediction ?? [], 1e-4);
}

describe.each(ONNX_FIXTURES)("fixture %s", (name) => {
  const expected = readExpected(name);
  let serving: ServingUnderTest;
  beforeAll(async () => {
    serving = await startServing(join(FIXTURES, "onnx", `${name}.onnx`));
  });
  afterAll(async () => serving.close());

  it("answers /invocations dataframe_split", async () => {
    const reply = await serving.post("/invocations", {
      dataframe_split: { columns: expected.columns, data: expected.rows },
    });
    expect(reply.status, reply.text).toBe(200);
    checkMlflow(expected, reply.body.predictions);
  });

  it("answers /invocations instances, records, inputs and CSV alike", async () => {
    const records = expected.rows.map((row) => Object.fromEntries(expected.columns.map((c, i) => [c, row[i]])));
    const csv = `${expected.columns.join(",")}\n${expected.rows.map((row) => row.join(",")).join("\n")}\n`;
    const replies = await Promise.all([
      serving.post("/invocations", { instances: expected.rows }),
      serving.post("/invocations", { dataframe_records: records }),
      serving.post("/invocations", { inputs: expected.rows }),
      serving.post("/invocations", { inputs: { [expected.input]: expected.rows } }),
      serving.post("/invocations", { instances: expected.rows.map((row) => ({ [expected.input]: row })) }),
      serving.post("/invocations", csv, "text/csv; charset=utf-8"),
    ]);
    for (const reply of replies) {
      expect(reply.status, reply.text).toBe(200);
      checkMlflow(expected, reply.body.predictions);
    }
  });

  if (expected.kind === "classifier") {
    it("returns probabilities on request", async () => {
      const reply = await serving.post("/invocations", {
        instances: expected.rows,
        params: { output: "probabilities" },
      });
      expect(reply.status, reply.text).toBe(200);
      expectClose((reply.body.predictions as number[][]).flat(), (expected.probabilities ?? []).flat(), 1e-4);
    });
  }

  it("answers V2 infer with the feature matrix, flat or nested", async () => {
    const flat = await serving.post(`/v2/models/${name}/infer`, {
      id: "req-1",
      inputs: [
        {
          name: expected.input,
          datatype: "FP32",
          shape: [expected.rows.length, expected.columns.length],
          data: expected.rows.flat(),
        },
      ],
    });
    const nested = await serving.post(`/v2/models/${name}/infer`, {
      inputs: [
        {
          name: expected.input,
          datatype: "FP64",
          shape: [expected.rows.length, expected.columns.length],
          data: expected.rows,
        },
      ],
    });
    for (const reply of [flat, nested]) {
      expect(reply.status, reply.text).toBe(200);
      expect(reply.body.model_name).toBe(name);
      const outputs = reply.body.outputs as { name: string; datatype: string; shape: number[]; data: unknown[] }[];
      const byName = Object.fromEntries(outputs.map((output) => [output.name, output]));
      if (expected.kind === "classifier") {
        expect(byName.label?.data).toEqual(expected.label);
        expect(byName.label?.shape).toEqual([expected.rows.length]);
        expect(byName.probabilities?.datatype).toBe("FP32");
        expect(byName.probabilities?.shape).toEqual([expected.rows.length, expected.probabilities?.[0]?.length]);
        expectClose(byName.probabilities?.data, (expected.probabilities ?? []).flat(), 1e-4);
      } else {
        const output = outputs[0];
        expect(output?.shape).toEqual([expected.rows.length, 1]);
        expectClose(output?.data, expected.prediction ?? [], 1e-4);
      }
    }
    expect(flat.body.id).toBe("req-1");
    expect(nested.body.id).toBeUndefined();
  });

  it("describes itself in V2 metadata", async () => {
    const reply = await serving.get(`/v2/models/${name}`);
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({
      name,
      platform: "onnxruntime",
      inputs: [{ name: expected.input, datatype: "FP32", shape: [-1, expected.columns.length] }],
    });
    expect((await serving.get(`/v2/models/${name}/ready`)).body).toEqual({ name, ready: true });
  });
});

describe("the MLflow-logged ONNX model directory", () => {
  const expected = readExpected("iris_logreg");
  let serving: ServingUnderTest;
  beforeAll(async () => {
    serving = await startServing(join(FIXTURES, "mlflow-onnx-model"), { name: "iris" });
  });
  afterAll(async () => serving.close());

  it("is served as-is, with its signature's columns", async () => {
    const reply = await serving.post("/invocations", {
      dataframe_split: { columns: expected.columns, data: expected.rows },
    });
    expect(reply.status, reply.text).toBe(200);
    expect(reply.body.predictions).toEqual(expected.label);
    const reordered = [...expected.columns].reverse();
    const records = expected.rows.map((row) =>
      Object.fromEntries(reordered.map((c) => [c, row[expected.columns.indexOf(c)]])),
    );
    const byRecords = await serving.post("/invocations", { dataframe_records: records });
    expect(byRecords.body.predictions).toEqual(expected.label);
  });

  it("takes one V2 tensor per signature column", async () => {
    const reply = await serving.post("/v2/models/iris/infer", {
      inputs: expected.columns.map((column, index) => ({
        name: column,
        datatype: "FP32",
        shape: [expected.rows.length],
        data: expected.rows.map((row) => row[index]),
      })),
      outputs: [{ name: "label" }],
    });
    expect(reply.status, reply.text).toBe(200);
    expect(reply.body.outputs).toEqual([
      { name: "label", datatype: "BYTES", shape: [expected.rows.length], data: expected.label },
    ]);
  });

  it("answers every output by name with params.output = all", async () => {
    const reply = await serving.post("/invocations", {
      dataframe_split: { columns: expected.columns, data: expected.rows.slice(0, 2) },
      params: { output: "all" },
    });
    expect(reply.status, reply.text).toBe(200);
    const predictions = reply.body.predictions as { label: string; probabilities: number[] }[];
    expect(predictions.map((p) => p.label)).toEqual(expected.label?.slice(0, 2));
    expect(predictions[0]?.probabilities).toHaveLength(3);
  });
});
