import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  formatMLModel,
  formatUtcTimeCreated,
  getOnnxFlavor,
  mlmodelToDict,
  newModelUuid,
  parseMLModel,
  readMLModel,
} from "../../src/models/mlmodel.js";

const FIXTURE = join(import.meta.dirname, "../fixtures/mlflow-onnx-model");
const scratch = await mkdtemp(join(tmpdir(), "lathe-mlmodel-"));
afterAll(() => rm(scratch, { recursive: true, force: true }));

describe("MLmodel", () => {
  it("reads MLflow's file and writes it back byte for byte", async () => {
    const text = await readFile(join(FIXTURE, "MLmodel"), "utf8");
    const model = parseMLModel(text);
    expect(model.run_id).toBe("ab7ca8387d824bdd9bd9939ee65911ec");
    expect(model.utc_time_created).toBe("2026-11-23 08:46:19.475965");
    expect(model.model_size_bytes).toBe(410);
    expect(model.signature?.inputs.map((spec) => spec.name)).toEqual([
      "sepal_length_cm",
      "sepal_width_cm",
      "petal_length_cm",
      "petal_width_cm",
    ]);
    expect(getOnnxFlavor(model)).toEqual({
      onnx_version: "1.12.0",
      data: "model.onnx",
      providers: ["CUDAExecutionProvider", "CPUExecutionProvider"],
      code: null,
      onnx_session_options: null,
    });
    expect(formatMLModel(model)).toBe(text);
  });

  it("keeps unknown keys and other flavors", () => {
    const model = parseMLModel(
      "flavors:\n  sklearn:\n    pickled_model: model.pkl\n  onnx:\n    data: m.onnx\nresources: {a: 1}\nutc_time_created: 2024-01-02 03:04:05.123456\n",
    );
    expect(model.flavors.sklearn).toEqual({ pickled_model: "model.pkl" });
    const dict = mlmodelToDict(model);
    expect(dict.resources).toEqual({ a: 1 });
    expect(dict.utc_time_created).toBe("2024-01-02 03:04:05.123456");
    const again = formatMLModel(model);
    expect(again).toContain("utc_time_created: '2024-01-02 03:04:05.123456'");
    expect(parse(again).resources).toEqual({ a: 1 });
  });

  it("formats times and uuids as MLflow does", () => {
    expect(formatUtcTimeCreated(new Date("2026-11-23T08:46:19.475Z"))).toBe("2026-11-23 08:46:19.475000");
    expect(newModelUuid()).toMatch(/^[0-9a-f]{32}$/);
  });

  it("refuses a missing or malformed MLmodel, naming the file and the fix", async () => {
    await expect(readMLModel(scratch)).rejects.toThrow(/No MLmodel file in '.*': a model directory needs one/);
    await writeFile(join(scratch, "MLmodel"), "flavors: [a\n");
    await expect(readMLModel(scratch)).rejects.toThrow(
      /MLmodel.* is not a valid MLflow model description: it is not valid YAML/,
    );
    expect(() => parseMLModel("run_id: x\n", "m/MLmodel")).toThrow(/'m\/MLmodel'.*no 'flavors' section.*save_model/);
    expect(() => parseMLModel("- 1\n")).toThrow(/must be a YAML mapping/);
    expect(() => parseMLModel("flavors:\n  onnx: 3\n")).toThrow(/flavor 'onnx' must be a mapping/);
    expect(() =>
      parseMLModel('flavors:\n  onnx: {data: m.onnx}\nsignature:\n  inputs: \'[{"type": "nope"}]\'\n'),
    ).toThrow(/signature is invalid .*type "nope"/);
    expect(() => getOnnxFlavor(parseMLModel("flavors:\n  sklearn: {}\n"))).toThrow(
      /no onnx flavor \(it has: sklearn\)/,
    );
  });
});
