/**
 * Artifacts through the SDK against a real `lathe server`: files and folders uploaded through the
 * artifact proxy (`mlflow-artifacts:/` runs) and copied directly (`file://` runs), downloaded back
 * byte for byte, and a model folder with an MLmodel file logged as an MLflow model.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { LatheClient } from "../../src/client/index.js";
import { fileTree, makeArtifactFolder, writeFile } from "../helpers/artifact-files.js";
import { startTestServer, type TestServer } from "../helpers/server.js";

let work: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "lathe-client-artifacts-"));
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

const MLMODEL = `# written by a test
artifact_path: somewhere-else
flavors:
  onnx:
    data: model.onnx
    onnx_version: 1.12.0
  python_function:
    data: model.onnx
    loader_module: mlflow.onnx
    env:
      virtualenv: python_env.yaml
signature:
  inputs: '[{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 4]}}]'
`;

function makeModel(name: string, mlmodel: string | null = MLMODEL): string {
  const dir = join(work, name);
  writeFile(join(dir, "model.onnx"), randomBytes(410));
  writeFile(join(dir, "python_env.yaml"), "python: 3.11.2\n");
  if (mlmodel !== null) writeFile(join(dir, "MLmodel"), mlmodel);
  return dir;
}

describe.each([
  ["the artifact proxy (mlflow-artifacts:/)", "proxy"],
  ["a file:// artifact root", "file"],
])("through %s", (_label, mode) => {
  let server: TestServer;
  let client: LatheClient;

  beforeAll(async () => {
    const overrides =
      mode === "file"
        ? { serveArtifacts: false, defaultArtifactRoot: pathToFileURL(join(work, `file-root-${Date.now()}`)).href }
        : {};
    server = await startTestServer(overrides);
    client = new LatheClient({ trackingUri: server.url });
  });

  afterAll(async () => {
    await server.close();
  });

  it("gives runs the expected kind of artifact URI", async () => {
    const run = await client.startRun({ experiment: "artifacts", recordEnvironment: false });
    expect(run.artifactUri).toMatch(mode === "file" ? /^file:\/\/\// : /^mlflow-artifacts:\//);
    await run.end();
  });

  it("uploads a file and folders, lists them, and downloads them back byte for byte", async () => {
    const folder = makeArtifactFolder(work, `upload-${mode}`);
    const run = await client.startRun({ experiment: "artifacts", recordEnvironment: false });
    await run.logArtifact(join(folder, "notes.txt"));
    await run.logArtifact(folder, "kept");
    await run.logArtifacts(folder, "flat");
    await run.end();

    const top = await client.listArtifacts(run.id);
    expect(top.map((file) => [file.path, file.is_dir])).toEqual([
      ["flat", true],
      ["kept", true],
      ["notes.txt", false],
    ]);
    expect(await client.listArtifacts(run.id, "kept")).toEqual([{ path: `kept/upload-${mode}`, is_dir: true }]);

    const everything = await client.downloadArtifacts(run.id, "", join(work, `download-all-${mode}`));
    const expected = fileTree(folder);
    const downloaded = fileTree(everything);
    expect(downloaded["notes.txt"]).toBe(expected["notes.txt"]);
    for (const [path, content] of Object.entries(expected)) {
      expect(downloaded[`flat/${path}`]).toBe(content);
      expect(downloaded[`kept/upload-${mode}/${path}`]).toBe(content);
    }

    const one = await client.downloadArtifacts(run.id, "flat/nested/deep/config.json", join(work, `one-${mode}`));
    expect(one).toBe(join(work, `one-${mode}`, "flat", "nested", "deep", "config.json"));
    expect(readFileSync(one, "utf8")).toBe('{"k": [1, 2]}');
    await expect(client.downloadArtifacts(run.id, "missing.txt", join(work, `none-${mode}`))).rejects.toMatchObject({
      code: "RESOURCE_DOES_NOT_EXIST",
    });
  });

  it("uploads and downloads by run id through the client", async () => {
    const folder = makeArtifactFolder(work, `by-id-${mode}`);
    const { info } = await client.createRun({ experimentId: "0" });
    await client.uploadArtifact(info.run_id, join(folder, "weights.bin"), "bin");
    await client.uploadArtifacts(info.run_id, join(folder, "nested"), "cfg");
    const local = await client.downloadArtifacts(info.run_id, "", join(work, `by-id-down-${mode}`));
    expect(fileTree(local)).toEqual({
      "bin/weights.bin": fileTree(folder)["weights.bin"],
      "cfg/deep/config.json": fileTree(folder)["nested/deep/config.json"],
    });
  });

  it("refuses an artifact path that climbs out of the run", async () => {
    const run = await client.startRun({ experiment: "artifacts", recordEnvironment: false });
    const folder = makeArtifactFolder(work, `escape-${mode}`);
    await expect(run.logArtifact(join(folder, "notes.txt"), "../../escape")).rejects.toMatchObject({
      code: "INVALID_PARAMETER_VALUE",
    });
    await expect(run.logArtifact(join(work, "does-not-exist"))).rejects.toThrow(/no such file/);
    await run.end();
  });

  it("logs a model folder with an MLmodel file and downloads it back", async () => {
    const modelDir = makeModel(`model-${mode}`);
    const run = await client.startRun({ experiment: "models", recordEnvironment: false });
    const logged = await run.logModel(modelDir);
    await run.end();
    expect(logged).toMatchObject({ artifactPath: "model", modelUri: `runs:/${run.id}/model` });
    expect(logged.mlmodel).toMatchObject({ run_id: run.id, artifact_path: "model" });

    const local = await client.downloadArtifacts(run.id, "model", join(work, `model-down-${mode}`));
    const files = fileTree(local);
    expect(Object.keys(files).sort()).toEqual(["MLmodel", "model.onnx", "python_env.yaml"]);
    expect(files["model.onnx"]).toBe(fileTree(modelDir)["model.onnx"]);
    const mlmodelText = readFileSync(join(local, "MLmodel"), "utf8");
    expect(mlmodelText).toContain("# written by a test");
    const mlmodel = parseYaml(mlmodelText) as Record<string, unknown>;
    expect(mlmodel).toMatchObject({
      run_id: run.id,
      artifact_path: "model",
      flavors: { onnx: { data: "model.onnx" } },
    });
    expect(mlmodel.utc_time_created).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/);
    expect(mlmodel.model_uuid).toMatch(/^[0-9a-f]{32}$/);
    expect(typeof mlmodel.signature === "object" && mlmodel.signature !== null).toBe(true);

    const tags = (await client.getRun(run.id)).data.tags;
    const history = JSON.parse(tags.find((tag) => tag.key === "mlflow.log-model.history")?.value ?? "[]");
    expect(history).toEqual([expect.objectContaining({ run_id: run.id, artifact_path: "model" })]);
  });

  it("uploads a model folder without an MLmodel file as plain artifacts, and refuses one without flavors", async () => {
    const run = await client.startRun({ experiment: "models", recordEnvironment: false });
    const logged = await run.logModel(makeModel(`plain-${mode}`, null), "weights");
    expect(logged.mlmodel).toBeUndefined();
    expect((await client.listArtifacts(run.id, "weights")).map((file) => file.path)).toEqual([
      "weights/model.onnx",
      "weights/python_env.yaml",
    ]);
    const noFlavors = makeModel(`no-flavors-${mode}`, "artifact_path: model\n");
    await expect(run.logModel(noFlavors)).rejects.toThrow(/flavors/);
    await expect(run.logModel(join(noFlavors, "model.onnx"))).rejects.toThrow(/model folder/);
    await run.end();
    const tags = (await client.getRun(run.id)).data.tags;
    expect(tags.some((tag) => tag.key === "mlflow.log-model.history")).toBe(false);
  });

  it("uploads many files into new nested folders in parallel without tripping the server's symlink guard", async () => {
    // Regression: concurrent uploads creating the same new folders were refused as "symbolic link leads outside".
    const dir = join(work, `parallel-${mode}`);
    for (let index = 0; index < 24; index++)
      writeFile(join(dir, ...Array(index % 4).fill(`d${index % 3}`), `f${index}`), "x");
    for (let round = 0; round < 5; round++) {
      const run = await client.startRun({ experiment: "artifacts", recordEnvironment: false });
      await run.logArtifacts(dir, "many");
      await run.end();
      const local = await client.downloadArtifacts(run.id, "many", join(work, `parallel-down-${mode}-${round}`));
      expect(Object.keys(fileTree(local)).sort()).toEqual(Object.keys(fileTree(dir)).sort());
    }
  });

  if (mode === "file") {
    it("writes file:// artifacts straight into the run's folder", async () => {
      const run = await client.startRun({ experiment: "artifacts", recordEnvironment: false });
      await run.logArtifact(join(makeArtifactFolder(work, "direct"), "notes.txt"), "direct");
      await run.end();
      const root = new URL(run.artifactUri);
      expect(existsSync(join(decodeURIComponent(root.pathname), "direct", "notes.txt"))).toBe(true);
    });
  }
});
