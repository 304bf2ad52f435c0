/**
 * Concurrency and crash safety: many clients writing to one run at once lose and duplicate
 * nothing, and a server killed with SIGKILL mid-storm restarts on an intact database holding every
 * point it acknowledged.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnServer, waitForExit } from "../helpers/process-server.js";
import { startTestServer, type TestServer, testBackend, testStoreUri, toQuery } from "../helpers/server.js";

async function post(url: string, path: string, body: unknown): Promise<Response> {
  return fetch(`${url}/api/2.0/mlflow/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

async function history(url: string, runId: string, key: string): Promise<{ step: number; value: number }[]> {
  const response = await fetch(
    `${url}/api/2.0/mlflow/metrics/get-history${toQuery({ run_id: runId, metric_key: key })}`,
  );
  expect(response.status).toBe(200);
  return ((await response.json()) as { metrics?: { step: number; value: number }[] }).metrics ?? [];
}

async function createRun(url: string): Promise<string> {
  const response = await post(url, "runs/create", { experiment_id: "0" });
  return ((await response.json()) as { run: { info: { run_id: string } } }).run.info.run_id;
}

describe("32 clients × 500 log-metric calls plus log-batch writers on one run", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server.close());

  it("keeps every acknowledged point exactly once and never errors", async () => {
    const runId = await createRun(server.url);
    const clients = 32;
    const callsPerClient = 500;
    const failures: string[] = [];
    const metricClients = Array.from({ length: clients }, async (_, client) => {
      for (let call = 0; call < callsPerClient; call++) {
        const response = await post(server.url, "runs/log-metric", {
          run_id: runId,
          key: "loss",
          value: client + call / 1000,
          timestamp: 1_000 + call,
          step: client * callsPerClient + call,
        });
        if (response.status !== 200) failures.push(`${response.status} ${await response.text()}`);
        else await response.arrayBuffer();
      }
    });
    const batchWriters = Array.from({ length: 4 }, async (_, writer) => {
      for (let batch = 0; batch < 25; batch++) {
        const metrics = Array.from({ length: 200 }, (_, i) => ({
          key: "accuracy",
          value: i / 200,
          timestamp: 2_000 + batch,
          step: (writer * 25 + batch) * 200 + i,
        }));
        const response = await post(server.url, "runs/log-batch", {
          run_id: runId,
          metrics,
          params: [{ key: `writer${writer}`, value: "on" }],
        });
        if (response.status !== 200) failures.push(`${response.status} ${await response.text()}`);
        else await response.arrayBuffer();
      }
    });
    await Promise.all([...metricClients, ...batchWriters]);
    expect(failures).toEqual([]);

    const loss = await history(server.url, runId, "loss");
    expect(loss).toHaveLength(clients * callsPerClient);
    expect(new Set(loss.map((point) => point.step)).size).toBe(clients * callsPerClient);
    const accuracy = await history(server.url, runId, "accuracy");
    expect(accuracy).toHaveLength(4 * 25 * 200);

    const run = (await (await fetch(`${server.url}/api/2.0/mlflow/runs/get?run_id=${runId}`)).json()) as {
      run: { data: { metrics: { key: string; step: number }[]; params: { key: string }[] } };
    };
    expect(run.run.data.metrics.find((metric) => metric.key === "loss")?.step).toBe(clients * callsPerClient - 1);
    expect(run.run.data.params.map((param) => param.key).sort()).toEqual(["writer0", "writer1", "writer2", "writer3"]);
  });

  it("writes many runs at once, each request with its own outcome: a deleted or missing run refuses only its own", async () => {
    const runIds = await Promise.all(Array.from({ length: 12 }, () => createRun(server.url)));
    const deleted = runIds.pop()!;
    expect((await post(server.url, "runs/delete", { run_id: deleted })).status).toBe(200);
    const missing = "0".repeat(32);
    const targets = [...runIds, deleted, missing];
    const outcomes = new Map<string, number[]>();
    await Promise.all(
      Array.from({ length: 16 }, async (_, client) => {
        for (let call = 0; call < 20; call++) {
          const runId = targets[(client + call) % targets.length]!;
          const step = client * 20 + call;
          const response =
            call % 2 === 0
              ? await post(server.url, "runs/log-metric", {
                  run_id: runId,
                  key: "loss",
                  value: step,
                  timestamp: 5,
                  step,
                })
              : await post(server.url, "runs/log-batch", {
                  run_id: runId,
                  metrics: [
                    { key: "loss", value: step, timestamp: 5, step },
                    { key: `m${client % 3}`, value: -step, timestamp: 5, step },
                  ],
                });
          await response.arrayBuffer();
          outcomes.set(runId, [...(outcomes.get(runId) ?? []), response.status]);
        }
      }),
    );
    expect(new Set(outcomes.get(deleted))).toEqual(new Set([400]));
    expect(new Set(outcomes.get(missing))).toEqual(new Set([404]));
    for (const runId of runIds) {
      expect(new Set(outcomes.get(runId))).toEqual(new Set([200]));
      const loss = await history(server.url, runId, "loss");
      expect(loss).toHaveLength(outcomes.get(runId)!.length);
      const run = (await (await fetch(`${server.url}/api/2.0/mlflow/runs/get?run_id=${runId}`)).json()) as {
        run: { data: { metrics: { key: string; value: number; step: number }[] } };
      };
      const latest = run.run.data.metrics.find((metric) => metric.key === "loss")!;
      expect(latest.step).toBe(Math.max(...loss.map((point) => point.step)));
      expect(latest.value).toBe(latest.step);
    }
    expect(await history(server.url, deleted, "loss")).toEqual([]);
  });
});

describe("kill -9 during a write storm", () => {
  const dir = mkdtempSync(join(tmpdir(), "lathe-crash-"));
  const dbPath = join(dir, "mlruns.db");
  let store: Awaited<ReturnType<typeof testStoreUri>>;
  let args: string[];
  beforeAll(async () => {
    store = await testStoreUri(dir);
    args = ["--backend-store-uri", store.uri, "--artifacts-destination", join(dir, "artifacts")];
  });
  afterAll(async () => {
    await store.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("restarts on an intact database holding every acknowledged point", async () => {
    const first = await spawnServer(args);
    const runId = await createRun(first.url);
    const acknowledged: number[] = [];
    let killed = false;
    let nextStep = 0;
    const storm = Array.from({ length: 16 }, async () => {
      while (!killed) {
        const step = nextStep++;
        try {
          const response = await post(first.url, "runs/log-metric", {
            run_id: runId,
            key: "storm",
            value: step,
            timestamp: 1,
            step,
          });
          if (response.status === 200) acknowledged.push(step);
          await response.arrayBuffer();
        } catch {
          // The connection died with the server: this point was never acknowledged.
        }
      }
    });
    const batches = (async () => {
      let batch = 0;
      while (!killed) {
        const metrics = Array.from({ length: 100 }, (_, i) => ({
          key: "batch",
          value: i,
          timestamp: 1,
          step: batch * 100 + i,
        }));
        try {
          const response = await post(first.url, "runs/log-batch", { run_id: runId, metrics });
          if (response.status === 200) acknowledged.push(-(batch + 1));
          await response.arrayBuffer();
        } catch {
          // Unacknowledged.
        }
        batch++;
      }
    })();
    while (acknowledged.length < 300) await new Promise((resolve) => setTimeout(resolve, 20));
    first.child.kill("SIGKILL");
    killed = true;
    await waitForExit(first.child);
    await Promise.all([...storm, batches]);

    if (testBackend() === "sqlite") {
      const check = new Database(dbPath);
      expect(check.pragma("integrity_check", { simple: true })).toBe("ok");
      check.close();
    }

    const second = await spawnServer(args);
    try {
      const stormSteps = new Set((await history(second.url, runId, "storm")).map((point) => point.step));
      const batchSteps = new Set((await history(second.url, runId, "batch")).map((point) => point.step));
      const lost = acknowledged.filter((marker) =>
        marker >= 0 ? !stormSteps.has(marker) : !batchSteps.has((-marker - 1) * 100 + 99),
      );
      expect(lost).toEqual([]);
      // And the restarted server takes writes again.
      expect(
        (await post(second.url, "runs/log-metric", { run_id: runId, key: "after", value: 1, timestamp: 1 })).status,
      ).toBe(200);
    } finally {
      second.child.kill("SIGTERM");
      await waitForExit(second.child);
    }
  });
});

describe("--workers 2", () => {
  const dir = mkdtempSync(join(tmpdir(), "lathe-workers-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("serves from several processes sharing one database", async () => {
    const store = await testStoreUri(dir);
    const server = await spawnServer(["--workers", "2", "--backend-store-uri", store.uri]);
    try {
      const runId = await createRun(server.url);
      const responses = await Promise.all(
        Array.from({ length: 200 }, (_, step) =>
          post(server.url, "runs/log-metric", { run_id: runId, key: "x", value: step, timestamp: 1, step }),
        ),
      );
      expect(responses.map((response) => response.status)).toEqual(responses.map(() => 200));
      expect(await history(server.url, runId, "x")).toHaveLength(200);
    } finally {
      server.child.kill("SIGTERM");
      await waitForExit(server.child);
      await store.drop();
    }
  });
});
