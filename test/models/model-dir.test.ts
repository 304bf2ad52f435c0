import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { formatMLModel, parseMLModel } from "../../src/models/mlmodel.js";
import { loadModelDir, openOnnxModel, sessionOptionsFromFlavor, writeModelDir } from "../../src/models/model-dir.js";

const FIXTURE = join(import.meta.dirname, "../fixtures/mlflow-onnx-model");
const scratch = await mkdtemp(join(tmpdir(), "lathe-model-dir-"));
afterAll(() => rm(scratch, { recursive: true, force: true }));

async function listTree(dir: string, prefix = ""): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) files.push(...(await listTree(dir, rel)));
    else files.push(rel);
  }
  return files.sort();
}

/** The structure of a value: keys and value types, not the values. */
function shapeOf(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(shapeOf);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, shapeOf(item)]));
  }
  return value === null ? "null" : typeof value;
}

describe("model directories", () => {
  it("loads MLflow's onnx model directory and predicts with it", async () => {
    const loaded = await loadModelDir(FIXTURE);
    expect(loaded.flavor.data).toBe("model.onnx");
    expect(loaded.modelPath).toBe(join(FIXTURE, "model.onnx"));
    const model = await openOnnxModel(loaded);
    const result = await model.predict([
      { petal_width_cm: 0.2, petal_length_cm: 1.4, sepal_width_cm: 3.5, sepal_length_cm: 5.1 },
    ]);
    expect(result.label).toEqual(["setosa"]);
    await model.close();
  });

  it("writes the files mlflow.onnx.log_model writes, with the same structure", async () => {
    const dir = join(scratch, "written");
    const reference = await loadModelDir(FIXTURE);
    const onnx = await readFile(reference.modelPath);
    const mlmodel = await writeModelDir(dir, {
      onnx,
      signature: reference.mlmodel.signature,
      runId: "0123456789abcdef0123456789abcdef",
    });
    expect(await listTree(dir)).toEqual(await listTree(FIXTURE));
    const ours = parse(await readFile(join(dir, "MLmodel"), "utf8"));
    const theirs = parse(await readFile(join(FIXTURE, "MLmodel"), "utf8"));
    expect(shapeOf(ours)).toEqual(shapeOf(theirs));
    expect(ours.model_uuid).toMatch(/^[0-9a-f]{32}$/);
    expect(ours.utc_time_created).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/);
    // Same content apart from the identity of this save.
    const same = { run_id: theirs.run_id, model_uuid: theirs.model_uuid, utc_time_created: theirs.utc_time_created };
    expect(formatMLModel({ ...mlmodel, ...same })).toBe(await readFile(join(FIXTURE, "MLmodel"), "utf8"));
    for (const file of ["conda.yaml", "python_env.yaml", "requirements.txt"]) {
      expect(await readFile(join(dir, file), "utf8"), file).toBe(await readFile(join(FIXTURE, file), "utf8"));
      expect(await readFile(join(dir, "metadata", file), "utf8")).toBe(await readFile(join(dir, file), "utf8"));
    }
    expect(await readFile(join(dir, "metadata/MLmodel"), "utf8")).toBe(await readFile(join(dir, "MLmodel"), "utf8"));
    const again = await loadModelDir(dir);
    expect(again.mlmodel.signature).toEqual(reference.mlmodel.signature);
  });

  it("writes an input example as MLflow does", async () => {
    const dir = join(scratch, "example");
    const mlmodel = await writeModelDir(dir, {
      onnx: await readFile(join(FIXTURE, "model.onnx")),
      inputExample: { columns: ["a", "b"], data: [[1, 2.5]] },
      metadataCopy: false,
    });
    expect(await readFile(join(dir, "input_example.json"), "utf8")).toBe('{"columns": ["a", "b"], "data": [[1, 2.5]]}');
    expect(mlmodel.saved_input_example_info).toEqual({
      artifact_path: "input_example.json",
      pandas_orient: "split",
      type: "dataframe",
    });
    expect(mlmodel.model_size_bytes).toBe(410 + 43);
    expect(await listTree(dir)).not.toContain("metadata/MLmodel");
    await expect(
      writeModelDir(dir, { onnx: new Uint8Array(1), inputExample: { columns: ["a"], data: [[1, 2]] } }),
    ).rejects.toThrow(/row 0 has 2 values for 1 columns/);
  });

  it("refuses broken directories, naming what to fix", async () => {
    await expect(loadModelDir(join(scratch, "nope"))).rejects.toThrow(/does not exist or is not a folder/);
    const dir = join(scratch, "broken");
    await writeModelDir(dir, { onnx: new Uint8Array([1]) });
    await rm(join(dir, "model.onnx"));
    await expect(loadModelDir(dir)).rejects.toThrow(/names 'model.onnx', but there is no such file/);
    await writeFile(join(dir, "MLmodel"), "flavors:\n  onnx:\n    data: ../../etc/passwd\n");
    await expect(loadModelDir(dir)).rejects.toThrow(/outside the model directory/);
    await writeFile(join(dir, "MLmodel"), "flavors:\n  sklearn:\n    pickled_model: m.pkl\n");
    await expect(loadModelDir(dir)).rejects.toThrow(/no onnx flavor/);
    await expect(writeModelDir(dir, { onnx: new Uint8Array() })).rejects.toThrow(/needs the ONNX model's bytes/);
    await expect(writeModelDir(dir, { onnx: new Uint8Array([1]) })).rejects.toMatchObject({
      code: "RESOURCE_ALREADY_EXISTS",
      message: expect.stringMatching(/already holds a model .* remove the folder or write to another path/),
    });
    expect(parseMLModel("flavors:\n  onnx: {data: a}\n").flavors.onnx).toEqual({ data: "a" });
  });
});

describe("session options recorded in MLmodel", () => {
  it("maps onnxruntime.SessionOptions names to the runtime's", () => {
    const flavor = { onnx_version: "1.12.0", data: "model.onnx", providers: [], code: null };
    expect(sessionOptionsFromFlavor({ ...flavor, onnx_session_options: null })).toEqual({});
    expect(
      sessionOptionsFromFlavor({
        ...flavor,
        onnx_session_options: {
          intra_op_num_threads: 2,
          inter_op_num_threads: 0,
          execution_mode: "ExecutionMode.ORT_PARALLEL",
          graph_optimization_level: 1,
          enable_profiling: true,
        },
      }),
    ).toEqual({ intraOpNumThreads: 2, executionMode: "parallel", graphOptimizationLevel: "basic" });
  });
});
