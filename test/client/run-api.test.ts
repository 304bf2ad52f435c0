/**
 * The run API against a real `lathe server`: a training-style script's 10,000 metric points arrive
 * complete and in step order in a bounded number of log-batch requests, never two at once; experiments
 * are created on first use and reused; withRun ends runs FINISHED or FAILED; nesting; environment tags;
 * and background failures surfacing on the next call and from end().
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LatheClient } from "../../src/client/index.js";
import { LatheError } from "../../src/core/errors.js";
import { startTestServer, type TestServer } from "../helpers/server.js";

let server: TestServer;
let client: LatheClient;

/** Every request the client makes, and the most log-batch requests that were in flight at once. */
const requests: string[] = [];
let logBatchInFlight = 0;
let maxLogBatchInFlight = 0;

const countingFetch: typeof fetch = async (input, init) => {
  const path = new URL(String(input)).pathname;
  requests.push(`${init?.method ?? "GET"} ${path}`);
  const isBatch = path.endsWith("/runs/log-batch");
  if (isBatch) maxLogBatchInFlight = Math.max(maxLogBatchInFlight, ++logBatchInFlight);
  try {
    return await fetch(input, init);
  } finally {
    if (isBatch) logBatchInFlight--;
  }
};

function countOf(path: string): number {
  return requests.filter((request) => request.endsWith(path)).length;
}

beforeAll(async () => {
  server = await startTestServer();
  client = new LatheClient({ trackingUri: server.url, fetch: countingFetch });
});

afterAll(async () => {
  await server.close();
});

function tagsOf(run: { data: { tags: { key: string; value: string }[] } }): Record<string, string> {
  return Object.fromEntries(run.data.tags.map((tag) => [tag.key, tag.value]));
}

describe("a training-style script", () => {
  it("logs 10,000 metric points through the run API; all arrive, in order per step, in a bounded number of requests", async () => {
    requests.length = 0;
    maxLogBatchInFlight = 0;
    const run = await client.startRun({ experiment: "training", runName: "10k" });
    for (let epoch = 0; epoch < 100; epoch++) {
      for (let batch = 0; batch < 100; batch++) {
        const step = epoch * 100 + batch;
        run.logMetric("loss", 1 / (step + 1), step);
      }
      // An epoch boundary yields to the event loop, as real training does between batches.
      await new Promise((resolve) => setImmediate(resolve));
    }
    await run.end();

    const batches = countOf("/runs/log-batch");
    expect(batches).toBeGreaterThanOrEqual(10);
    expect(batches).toBeLessThanOrEqual(30);
    expect(maxLogBatchInFlight).toBe(1);
    const history = await client.getMetricHistory(run.id, "loss");
    expect(history).toHaveLength(10_000);
    history.forEach((point, index) => {
      expect(point.step).toBe(index);
      expect(point.value).toBe(1 / (index + 1));
    });
    const finished = await client.getRun(run.id);
    expect(finished.info.status).toBe("FINISHED");
    expect(finished.info.end_time).toBeGreaterThanOrEqual(finished.info.start_time);
  });

  it("sends a trickle of points after the flush interval, without waiting for end()", async () => {
    const run = await client.startRun({ experiment: "training", flushIntervalMs: 20 });
    run.logMetrics({ a: 1, b: 2 }, 3);
    expect(run.pendingMetrics).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(run.pendingMetrics).toBe(0);
    const logged = await client.getRun(run.id);
    expect(logged.data.metrics.map((metric) => [metric.key, metric.value, metric.step]).sort()).toEqual([
      ["a", 1, 3],
      ["b", 2, 3],
    ]);
    await run.end();
  });
});

describe("experiments by name", () => {
  it("creates the experiment on first use and reuses it after", async () => {
    requests.length = 0;
    const first = await client.startRun({ experiment: "reuse-me" });
    const second = await client.startRun({ experiment: "reuse-me" });
    expect(second.experimentId).toBe(first.experimentId);
    expect(countOf("/experiments/create")).toBe(1);
    const found = await client.searchAllExperiments({ filter: "name = 'reuse-me'" });
    expect(found).toHaveLength(1);
    await Promise.all([first.end(), second.end()]);
  });

  it("uses the Default experiment when none is named, and an explicit id when given", async () => {
    const inDefault = await client.startRun({ recordEnvironment: false });
    expect(inDefault.experimentId).toBe("0");
    const id = await client.createExperiment("by-id");
    const byId = await client.startRun({ experimentId: id, recordEnvironment: false });
    expect(byId.experimentId).toBe(id);
    await inDefault.end();
    await byId.end();
  });

  it("refuses to start a run in a deleted experiment", async () => {
    const id = await client.createExperiment("deleted-exp");
    await client.deleteExperiment(id);
    await expect(client.startRun({ experiment: "deleted-exp" })).rejects.toThrow(/is deleted/);
  });
});

describe("withRun", () => {
  it("ends the run FINISHED and returns what the function returns", async () => {
    let runId = "";
    const result = await client.withRun({ experiment: "with-run", runName: "ok" }, async (run) => {
      runId = run.id;
      await run.logParams({ lr: 0.1, epochs: 3, shuffle: true });
      await run.setTags({ stage: "dev" });
      run.logMetric("accuracy", 0.9);
      return 42;
    });
    expect(result).toBe(42);
    const run = await client.getRun(runId);
    expect(run.info.status).toBe("FINISHED");
    expect(run.data.params).toEqual(
      expect.arrayContaining([
        { key: "lr", value: "0.1" },
        { key: "epochs", value: "3" },
        { key: "shuffle", value: "true" },
      ]),
    );
    expect(tagsOf(run)).toMatchObject({ stage: "dev", "mlflow.runName": "ok" });
    expect(run.data.metrics).toEqual([expect.objectContaining({ key: "accuracy", value: 0.9 })]);
  });

  it("marks the run FAILED when the function throws, keeps what was logged, and rethrows", async () => {
    let runId = "";
    const failure = new Error("diverged");
    await expect(
      client.withRun({ experiment: "with-run" }, async (run) => {
        runId = run.id;
        run.logMetric("loss", Number.NaN, 7);
        throw failure;
      }),
    ).rejects.toBe(failure);
    const run = await client.getRun(runId);
    expect(run.info.status).toBe("FAILED");
    expect(run.info.end_time).not.toBeNull();
    expect(run.data.metrics[0]?.value).toBeNaN();
    expect(client.activeRun).toBeUndefined();
  });

  it("nests a run under the active one", async () => {
    await client.withRun({ experiment: "nesting", description: "parent run" }, async (parent) => {
      const child = await client.startRun({ experiment: "nesting", nested: true, recordEnvironment: false });
      expect(client.activeRun).toBe(child);
      await child.end();
      expect(client.activeRun).toBe(parent);
      const tags = tagsOf(await client.getRun(child.id));
      expect(tags["mlflow.parentRunId"]).toBe(parent.id);
      expect(tagsOf(await client.getRun(parent.id))["mlflow.note.content"]).toBe("parent run");
    });
    await expect(client.startRun({ nested: true })).rejects.toThrow(/nest under/);
  });
});

describe("environment tags", () => {
  it("records Node, OS, git, lock file and MLflow's source tags on every started run", async () => {
    const run = await client.startRun({ experiment: "env" });
    await run.end();
    const tags = tagsOf(await client.getRun(run.id));
    expect(tags["lathe.env.node"]).toBe(process.version);
    expect(tags["lathe.env.os"]).toMatch(/^\w+ \S+ \w+$/);
    expect(tags["mlflow.source.type"]).toBe("LOCAL");
    expect(tags["mlflow.source.name"]).toBeTruthy();
    expect(tags["mlflow.user"]).toBeTruthy();
    // The tests run from the repository root: a git checkout with a package-lock.json.
    expect(tags["mlflow.source.git.commit"]).toMatch(/^[0-9a-f]{40}$/);
    expect(["true", "false"]).toContain(tags["lathe.env.git.dirty"]);
    const lock = createHash("sha256").update(readFileSync("package-lock.json")).digest("hex");
    expect(tags["lathe.env.lockfile"]).toBe(`package-lock.json sha256:${lock}`);
    if (tags["lathe.env.python"] !== undefined) expect(tags["lathe.env.python"]).toMatch(/^\d+\.\d+/);
  });

  it("lets explicit tags override the recorded ones", async () => {
    const run = await client.startRun({ experiment: "env", tags: { "mlflow.source.name": "train.ts" } });
    await run.end();
    expect(tagsOf(await client.getRun(run.id))["mlflow.source.name"]).toBe("train.ts");
  });
});

describe("failures", () => {
  it("refuses a bad metric key or value at once", async () => {
    const run = await client.startRun({ experiment: "failures", recordEnvironment: false });
    expect(() => run.logMetric("../bad", 1)).toThrow(LatheError);
    expect(() => run.logMetric("ok", "1" as unknown as number)).toThrow(/must be a number/);
    expect(() => run.logMetric("ok", 1, 1.5)).toThrow(/whole number/);
    expect(run.pendingMetrics).toBe(0);
    await run.end();
  });

  it("surfaces a failed background send on the next call, then carries on", async () => {
    const run = await client.startRun({ experiment: "failures", recordEnvironment: false, flushIntervalMs: 10 });
    await client.deleteRun(run.id);
    run.logMetric("lost", 1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    let thrown: unknown;
    try {
      run.logMetric("next", 2);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(LatheError);
    expect((thrown as LatheError).code).toBe("INVALID_PARAMETER_VALUE");
    expect((thrown as LatheError).message).toMatch(/1 point\(s\) were not recorded/);
    await client.restoreRun(run.id);
    run.logMetric("next", 2);
    await run.flush();
    expect((await client.getRun(run.id)).data.metrics.map((metric) => metric.key)).toEqual(["next"]);
    await run.end();
  });

  it("throws a failed send from end(), after ending the run with the status asked for", async () => {
    // The server refuses every log-batch of this client.
    const refusing: typeof fetch = async (input, init) =>
      String(input).endsWith("/runs/log-batch")
        ? new Response(JSON.stringify({ error_code: "INVALID_PARAMETER_VALUE", message: "refused" }), { status: 400 })
        : fetch(input, init);
    const refused = new LatheClient({ trackingUri: server.url, fetch: refusing });
    const run = await refused.startRun({ experiment: "failures", recordEnvironment: false });
    run.logMetric("bad", 1);
    await expect(run.end()).rejects.toThrow(/1 point\(s\) were not recorded\. refused/);
    expect(run.ended).toBe(true);
    expect((await client.getRun(run.id)).info.status).toBe("FINISHED");
    expect(() => run.logMetric("after", 1)).toThrow(/has ended/);
    await run.end();
  });
});
