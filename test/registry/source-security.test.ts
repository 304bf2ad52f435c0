/**
 * Model version `source` attacks replayed through a real `lathe server` (reference/mlflow.md §7,
 * the replay checklist): every shape is refused with 400 INVALID_PARAMETER_VALUE and registers
 * nothing. Local sources pass only with run_id and inside that run's own local artifact folder.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { createRun, type ModelVersionJson } from "./helpers.js";

let server: TestServer;
let outside: string;
/** A run whose artifacts live in a local folder (its experiment has a local artifact_location). */
let localRun: { runId: string; dir: string };
/** A run whose artifacts go through the proxy (mlflow-artifacts:). */
let proxiedRun: string;

beforeAll(async () => {
  server = await startTestServer();
  outside = mkdtempSync(join(tmpdir(), "lathe-outside-"));
  writeFileSync(join(outside, "secret.txt"), "do not read");
  const location = join(server.dir, "local-artifacts");
  const experiment = await server.ok("POST", "experiments/create", { name: "local", artifact_location: location });
  const run = await createRun(server, experiment.experiment_id as string);
  const dir = fileURLToPath(run.artifactUri);
  mkdirSync(join(dir, "model"), { recursive: true });
  symlinkSync(outside, join(dir, "link-out"));
  localRun = { runId: run.runId, dir };
  proxiedRun = (await createRun(server)).runId;
  await server.ok("POST", "registered-models/create", { name: "target" });
});

afterAll(async () => {
  await server.close();
  rmSync(outside, { recursive: true, force: true });
});

const CHECKLIST = [
  "/etc",
  "/etc/passwd",
  "file:///etc/passwd",
  "file:/etc",
  "file://localhost/etc/passwd",
  "etc/passwd",
  "//proc/self/root",
  "mlflow-artifacts://h/../../",
  "mlflow-artifacts:/../../../etc",
  "http://h/api/2.0/mlflow-artifacts/artifacts/../../",
  "https://h/api/2.0/mlflow-artifacts/artifacts/..%2f..%2f",
  "..%2f..%2f",
  "%252e%252e%252f",
  "%2e%2e/%2e%2e/etc/passwd",
  "%00",
  "s3://bucket/model%00.txt",
  "\\..\\..\\",
  "file:///tmp\\..\\..\\etc",
  ";/../",
  "http://h/x;/../../etc",
  "#/../",
  "http://h/model#/../../etc/passwd",
  "http://h/model%23/../../etc/passwd",
  "?x=/../",
  "s3:/b/../../x",
  "s3://bucket/a/../../b",
  "runs:/0123456789abcdef0123456789abcdef/../../etc",
  "models:/target/1/../../etc",
];

async function versionCount(): Promise<number> {
  const body = await server.ok("GET", "model-versions/search", { filter: "name = 'target'" });
  return ((body.model_versions ?? []) as ModelVersionJson[]).length;
}

describe("model-versions/create source checks", () => {
  it.each(CHECKLIST)("refuses %j with 400 INVALID_PARAMETER_VALUE, with or without run_id", async (source) => {
    for (const runId of [undefined, localRun.runId, proxiedRun]) {
      const message = await server.fails(
        "POST",
        "model-versions/create",
        { name: "target", source, run_id: runId },
        400,
        "INVALID_PARAMETER_VALUE",
      );
      expect(message).toMatch(/^Invalid model version source/);
      expect(message).not.toContain("do not read");
    }
  });

  it("refuses local paths outside the run's artifact folder, and through a link that leads out", async () => {
    for (const source of [
      outside,
      join(outside, "secret.txt"),
      join(localRun.dir, "..", ".."),
      join(localRun.dir, "link-out", "secret.txt"),
    ]) {
      await server.fails(
        "POST",
        "model-versions/create",
        { name: "target", source, run_id: localRun.runId },
        400,
        "INVALID_PARAMETER_VALUE",
      );
    }
  });

  it("refuses a local path without run_id, and for a run whose artifacts are not local, saying what to do", async () => {
    const inside = join(localRun.dir, "model");
    expect(
      await server.fails(
        "POST",
        "model-versions/create",
        { name: "target", source: inside },
        400,
        "INVALID_PARAMETER_VALUE",
      ),
    ).toMatch(/run_id request parameter has to be specified/);
    expect(
      await server.fails(
        "POST",
        "model-versions/create",
        { name: "target", source: inside, run_id: proxiedRun },
        400,
        "INVALID_PARAMETER_VALUE",
      ),
    ).toMatch(/not in a local folder.*register runs:\/<run_id>\/<path>/);
  });

  it("registered nothing through any refused source", async () => {
    expect(await versionCount()).toBe(0);
  });

  it("accepts a local path or file: URI inside the given run's artifact folder", async () => {
    const inside = join(localRun.dir, "model");
    for (const source of [inside, pathToFileURL(inside).href]) {
      await server.ok("POST", "model-versions/create", { name: "target", source, run_id: localRun.runId });
    }
    const body = await server.ok("GET", "model-versions/get-download-uri", { name: "target", version: "1" });
    expect(body.artifact_uri).toBe(inside);
    expect(await versionCount()).toBe(2);
  });

  it("accepts the ordinary remote forms", async () => {
    for (const source of [
      `runs:/${proxiedRun}/model`,
      `mlflow-artifacts:/0/${proxiedRun}/artifacts/model`,
      "s3://bucket/models/iris/1",
      "https://models.example.com/iris.onnx",
      "models:/target/1",
    ]) {
      await server.ok("POST", "model-versions/create", { name: "target", source });
    }
  });
});
