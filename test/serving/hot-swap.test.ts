/**
 * Hot reload: serving `models:/iris@champion` from a real registry, moving the alias while requests
 * keep coming swaps in the new version with no failed request; later answers come from the new one,
 * and the old session is released once its requests have finished.
 */
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LatheClient } from "../../src/client/client.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { FIXTURES, readExpected, type ServingUnderTest, startServing } from "./helpers.js";

let registry: TestServer;
let client: LatheClient;
let folder: string;
const runIds: string[] = [];

/** Logs `modelDir` as a run's `model` artifact and registers it as the next version of `name`. */
async function registerVersion(name: string, modelDir: string): Promise<string> {
  const run = await client.createRun({ experimentId: "0" });
  const runId = run.info.run_id;
  runIds.push(runId);
  await client.uploadArtifacts(runId, modelDir, "model");
  const version = await client.createModelVersion(name, `runs:/${runId}/model`, { runId });
  return version.version;
}

beforeAll(async () => {
  registry = await startTestServer();
  client = new LatheClient({ trackingUri: registry.url });
  folder = mkdtempSync(join(tmpdir(), "lathe-hot-swap-"));
  // Version 2: the decision tree, in the same MLmodel directory layout as the logistic regression.
  const treeDir = join(folder, "tree");
  cpSync(join(FIXTURES, "mlflow-onnx-model"), treeDir, { recursive: true });
  cpSync(join(FIXTURES, "onnx", "iris_tree.onnx"), join(treeDir, "model.onnx"));
  await client.createRegisteredModel("iris");
  expect(await registerVersion("iris", join(FIXTURES, "mlflow-onnx-model"))).toBe("1");
  expect(await registerVersion("iris", treeDir)).toBe("2");
  await client.setRegisteredModelAlias("iris", "champion", "1");
});

afterAll(async () => {
  await registry.close();
  rmSync(folder, { recursive: true, force: true });
});

describe("hot swap", () => {
  let serving: ServingUnderTest;
  afterAll(async () => serving?.close());

  it("moves to the new version under continuous load without a failed request", async () => {
    const expected = readExpected("iris_tree");
    serving = await startServing("models:/iris@champion", { trackingUri: registry.url, pollSeconds: 0.1 });
    expect(serving.server.holder.current?.version).toBe("1");
    const body = {
      inputs: [{ name: "input", datatype: "FP32", shape: [expected.rows.length, 4], data: expected.rows.flat() }],
    };
    const seen: { status: number; version: unknown; started: number }[] = [];
    let stop = false;
    const worker = async () => {
      while (!stop) {
        const started = performance.now();
        const reply = await serving.post("/v2/models/iris/infer", body);
        seen.push({ status: reply.status, version: reply.body.model_version, started });
      }
    };
    const workers = Array.from({ length: 6 }, worker);
    await sleep(300);
    const moved = performance.now();
    await client.setRegisteredModelAlias("iris", "champion", "2");
    for (let waited = 0; waited < 10_000 && serving.server.holder.current?.version !== "2"; waited += 20)
      await sleep(20);
    const swapped = performance.now();
    await sleep(300);
    stop = true;
    await Promise.all(workers);

    expect(seen.filter((reply) => reply.status !== 200)).toEqual([]);
    expect(seen.filter((reply) => reply.started < moved).every((reply) => reply.version === "1")).toBe(true);
    const after = seen.filter((reply) => reply.started > swapped + 1);
    expect(after.length).toBeGreaterThan(10);
    expect(after.every((reply) => reply.version === "2")).toBe(true);
    // The tree answers like scikit-learn's tree did.
    const last = await serving.post("/invocations", { instances: expected.rows });
    expect(last.body.predictions).toEqual(expected.label);
    for (let waited = 0; waited < 2000 && serving.server.holder.retiringCount > 0; waited += 20) await sleep(20);
    expect(serving.server.holder.retiringCount).toBe(0);
    const metrics = await (await fetch(`${serving.url}/metrics`)).text();
    expect(metrics).toContain('lathe_serve_model_info{model="iris",version="2",runtime="onnxruntime"} 1');
    expect(metrics).not.toContain('lathe_serve_model_info{model="iris",version="1"');
  });

  it("reloads on demand (SIGHUP's path) and keeps serving when the registry is unchanged", async () => {
    expect(await serving.server.reload()).toBe(false);
    await client.setRegisteredModelAlias("iris", "champion", "1");
    expect(await serving.server.reload()).toBe(true);
    expect(serving.server.holder.current?.version).toBe("1");
    const reply = await serving.get("/v2/models/iris/versions/1");
    expect(reply.body).toMatchObject({ name: "iris", versions: ["1"], platform: "onnxruntime" });
  });
});

describe("registry and run sources", () => {
  it("serves a fixed version and a run's model", async () => {
    const expected = readExpected("iris_tree");
    const fixed = await startServing("models:/iris/2", { trackingUri: registry.url, pollSeconds: 0.1 });
    const fromRun = await startServing(`runs:/${runIds[0]}/model`, { trackingUri: registry.url });
    try {
      expect(fixed.server.holder.current).toMatchObject({ name: "iris", version: "2" });
      const reply = await fixed.post("/invocations", { instances: expected.rows });
      expect(reply.body.predictions).toEqual(expected.label);
      expect(fromRun.server.holder.current).toMatchObject({ name: "model", version: undefined });
      const logreg = readExpected("iris_logreg");
      const runReply = await fromRun.post("/invocations", { instances: logreg.rows });
      expect(runReply.body.predictions).toEqual(logreg.label);
    } finally {
      await fixed.close();
      await fromRun.close();
    }
  });

  it("fails to start with a clear error for an unknown model", async () => {
    await expect(startServing("models:/nope@champion", { trackingUri: registry.url })).rejects.toThrow(/nope/);
  });
});
