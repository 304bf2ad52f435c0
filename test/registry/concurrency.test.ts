/**
 * Version numbering under concurrency: parallel `model-versions/create` calls to one model get
 * exactly the numbers 1..N, each once (reference/mlflow.md §5), also when two models are being
 * registered at the same time, when versions are deleted in between, and when several server
 * processes share one database (on SQLite each creation is one BEGIN IMMEDIATE transaction; on
 * PostgreSQL it locks the model's row).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnServer, waitForExit } from "../helpers/process-server.js";
import { startTestServer, type TestServer, testStoreUri } from "../helpers/server.js";
import type { ModelVersionJson } from "./helpers.js";

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(async () => {
  await server.close();
});

async function createInParallel(name: string, count: number): Promise<number[]> {
  const bodies = await Promise.all(
    Array.from({ length: count }, (_, index) =>
      server.ok("POST", "model-versions/create", { name, source: `s3://bucket/${name}/${index}` }),
    ),
  );
  return bodies.map((body) => Number((body.model_version as ModelVersionJson).version));
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, index) => from + index);

describe("parallel model-versions/create", () => {
  it("yields versions 1..20 exactly", async () => {
    await server.ok("POST", "registered-models/create", { name: "parallel" });
    const versions = await createInParallel("parallel", 20);
    expect([...versions].sort((a, b) => a - b)).toEqual(range(1, 20));
    const search = await server.ok("GET", "model-versions/search", { filter: "name = 'parallel'" });
    expect((search.model_versions as ModelVersionJson[]).map((v) => Number(v.version)).sort((a, b) => a - b)).toEqual(
      range(1, 20),
    );
  });

  it("numbers two models independently when both are registered at once", async () => {
    await server.ok("POST", "registered-models/create", { name: "left" });
    await server.ok("POST", "registered-models/create", { name: "right" });
    const [left, right] = await Promise.all([createInParallel("left", 10), createInParallel("right", 10)]);
    expect([...(left ?? [])].sort((a, b) => a - b)).toEqual(range(1, 10));
    expect([...(right ?? [])].sort((a, b) => a - b)).toEqual(range(1, 10));
  });

  it("continues after the highest number ever used while versions are deleted in parallel", async () => {
    await Promise.all(
      [18, 19, 20].map((version) =>
        server.ok("DELETE", "model-versions/delete", { name: "parallel", version: String(version) }),
      ),
    );
    const versions = await createInParallel("parallel", 5);
    expect([...versions].sort((a, b) => a - b)).toEqual(range(21, 25));
  });
});

describe("parallel model-versions/create on --workers 2", () => {
  const dir = mkdtempSync(join(tmpdir(), "lathe-registry-workers-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("yields versions 1..40 exactly across processes sharing the database", async () => {
    const store = await testStoreUri(dir);
    const child = await spawnServer(["--workers", "2", "--backend-store-uri", store.uri]);
    const post = (path: string, body: unknown) =>
      fetch(`${child.url}/api/2.0/mlflow/${path}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    try {
      expect((await post("registered-models/create", { name: "shared" })).status).toBe(200);
      const responses = await Promise.all(
        Array.from({ length: 40 }, (_, index) =>
          post("model-versions/create", { name: "shared", source: `s3://b/${index}` }),
        ),
      );
      const bodies = await Promise.all(
        responses.map((response) => response.json() as Promise<Record<string, unknown>>),
      );
      expect(
        responses.map((response) => response.status),
        JSON.stringify(bodies.find((body) => !body.model_version)),
      ).toEqual(responses.map(() => 200));
      const versions = bodies.map((body) => Number((body.model_version as ModelVersionJson).version));
      expect([...versions].sort((a, b) => a - b)).toEqual(range(1, 40));
    } finally {
      child.child.kill("SIGTERM");
      await waitForExit(child.child);
      await store.drop();
    }
  });
});
