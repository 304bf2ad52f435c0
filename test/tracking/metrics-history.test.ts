/**
 * Contract tests for metric history (reference/mlflow.md §2.3) through a real `lathe server`:
 * get-history with paging, the down-sampled get-history-bulk-interval and its limits, and the UI's
 * `/ajax-api` get-history-bulk.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/server.js";

interface MetricJson {
  key: string;
  value: number | string;
  timestamp: number;
  step: number;
  run_id?: string;
}

let server: TestServer;
/** 100 points of "loss" at steps 0..99, plus a second point at step 15. */
let runA: string;
/** 10 points of "loss" at steps 0..9. */
let runB: string;

const AJAX = "/ajax-api/2.0/mlflow";

const ok: TestServer["ok"] = (...args) => server.ok(...args);

/** A GET that must fail, by default with 400 INVALID_PARAMETER_VALUE. */
const fails = (path: string, params: Record<string, unknown>, status = 400, errorCode = "INVALID_PARAMETER_VALUE") =>
  server.fails("GET", path, params, status, errorCode);

async function createRunWithLoss(steps: number): Promise<string> {
  const run = (await ok("POST", "runs/create", {})).run as { info: { run_id: string } };
  const metrics = Array.from({ length: steps }, (_, step) => ({
    key: "loss",
    value: step / 100,
    timestamp: 1000 + step,
    step,
  }));
  await ok("POST", "runs/log-batch", { run_id: run.info.run_id, metrics });
  return run.info.run_id;
}

beforeAll(async () => {
  server = await startTestServer();
  runA = await createRunWithLoss(100);
  await ok("POST", "runs/log-metric", { run_id: runA, key: "loss", value: 7, timestamp: 5000, step: 15 });
  runB = await createRunWithLoss(10);
});

afterAll(async () => {
  await server.close();
});

const metricsOf = (body: Record<string, unknown>) => (body.metrics ?? []) as MetricJson[];

describe("metrics/get-history", () => {
  it("returns every point, ordered by timestamp", async () => {
    const metrics = metricsOf(await ok("GET", "metrics/get-history", { run_id: runA, metric_key: "loss" }));
    expect(metrics).toHaveLength(101);
    expect(metrics[0]).toEqual({ key: "loss", value: 0, timestamp: 1000, step: 0 });
    expect(metrics[100]).toEqual({ key: "loss", value: 7, timestamp: 5000, step: 15 });
    const timestamps = metrics.map((metric) => metric.timestamp);
    expect(timestamps).toEqual([...timestamps].sort((a, b) => a - b));
  });

  it("pages with max_results and page_token, with no duplicates or gaps", async () => {
    const sizes: number[] = [];
    const seen = new Set<string>();
    let token: string | undefined;
    do {
      const body = await ok("GET", "metrics/get-history", {
        run_id: runA,
        metric_key: "loss",
        max_results: 30,
        ...(token ? { page_token: token } : {}),
      });
      const page = metricsOf(body);
      sizes.push(page.length);
      for (const metric of page) seen.add(`${metric.step}/${metric.timestamp}`);
      token = body.next_page_token as string | undefined;
    } while (token);
    expect(sizes).toEqual([30, 30, 30, 11]);
    expect(seen.size).toBe(101);
  });

  it("accepts run_uuid and returns {} for a metric the run never logged", async () => {
    const body = await ok("GET", "metrics/get-history", { run_uuid: runB, metric_key: "loss" });
    expect(metricsOf(body)).toHaveLength(10);
    expect(await ok("GET", "metrics/get-history", { run_id: runB, metric_key: "nope" })).toEqual({});
  });

  it("answers 404 for an unknown run and 400 for missing fields or a bad token", async () => {
    await fails("metrics/get-history", { run_id: "a".repeat(32), metric_key: "loss" }, 404, "RESOURCE_DOES_NOT_EXIST");
    await fails("metrics/get-history", { run_id: runA });
    await fails("metrics/get-history", { metric_key: "loss" });
    await fails("metrics/get-history", { run_id: runA, metric_key: "loss", max_results: 5, page_token: "%%%" });
  });
});

describe("metrics/get-history-bulk-interval", () => {
  const stepsOf = (metrics: MetricJson[], runId: string) => [
    ...new Set(metrics.filter((metric) => metric.run_id === runId).map((metric) => metric.step)),
  ];

  it("down-samples the runs' steps together, keeping each run's first and last step", async () => {
    const body = await ok("GET", "metrics/get-history-bulk-interval", {
      run_ids: [runA, runB],
      metric_key: "loss",
      max_results: 5,
    });
    const metrics = metricsOf(body);
    const stepsA = stepsOf(metrics, runA);
    const stepsB = stepsOf(metrics, runB);
    expect(stepsA).toEqual(expect.arrayContaining([0, 99]));
    expect(stepsB).toEqual(expect.arrayContaining([0, 9]));
    // MLflow samples the union of the runs' steps, so the runs are read at the same steps: runA
    // logged every step runB did, so it has every step runB got.
    expect(stepsA).toEqual(expect.arrayContaining(stepsB));
    // max_results sampled steps, plus the last one, plus each run's first and last.
    expect(stepsA.length).toBeGreaterThan(2);
    expect(stepsA.length).toBeLessThanOrEqual(5 + 1 + 2 * 2);
    expect(metrics.every((metric) => metric.key === "loss" && typeof metric.run_id === "string")).toBe(true);
  });

  it("returns every step when there are fewer than max_results, all points of each step", async () => {
    const body = await ok("GET", "metrics/get-history-bulk-interval", { run_ids: [runA], metric_key: "loss" });
    const metrics = metricsOf(body);
    expect(metrics).toHaveLength(101);
    expect(metrics.filter((metric) => metric.step === 15)).toHaveLength(2);
  });

  it("limits to start_step..end_step", async () => {
    const body = await ok("GET", "metrics/get-history-bulk-interval", {
      run_ids: [runA, runB],
      metric_key: "loss",
      start_step: 10,
      end_step: 20,
    });
    const metrics = metricsOf(body);
    expect(stepsOf(metrics, runA).sort((a, b) => a - b)).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
    expect(stepsOf(metrics, runB)).toEqual([]);
    expect(metrics).toHaveLength(12);
    const sampled = metricsOf(
      await ok("GET", "metrics/get-history-bulk-interval", {
        run_ids: [runA],
        metric_key: "loss",
        start_step: 10,
        end_step: 60,
        max_results: 3,
      }),
    );
    expect(stepsOf(sampled, runA)).toEqual(expect.arrayContaining([10, 60]));
  });

  it("is served on /ajax-api too", async () => {
    const response = await server.call("GET", `${AJAX}/metrics/get-history-bulk-interval`, {
      run_ids: [runB],
      metric_key: "loss",
    });
    expect(response.status).toBe(200);
    expect(metricsOf(response.body)).toHaveLength(10);
  });

  it("refuses more than 100 runs", async () => {
    const runIds = Array.from({ length: 101 }, (_, i) => i.toString(16).padStart(32, "0"));
    await fails("metrics/get-history-bulk-interval", { run_ids: runIds, metric_key: "loss" });
  });

  it("refuses only one of start_step and end_step, or start after end", async () => {
    await fails("metrics/get-history-bulk-interval", { run_ids: [runA], metric_key: "loss", start_step: 1 });
    await fails("metrics/get-history-bulk-interval", { run_ids: [runA], metric_key: "loss", end_step: 1 });
    await fails("metrics/get-history-bulk-interval", {
      run_ids: [runA],
      metric_key: "loss",
      start_step: 5,
      end_step: 1,
    });
  });

  it("refuses max_results outside 1..2500 and missing fields", async () => {
    await fails("metrics/get-history-bulk-interval", { run_ids: [runA], metric_key: "loss", max_results: 2501 });
    await fails("metrics/get-history-bulk-interval", { run_ids: [runA], metric_key: "loss", max_results: 0 });
    await ok("GET", "metrics/get-history-bulk-interval", { run_ids: [runA], metric_key: "loss", max_results: 2500 });
    await fails("metrics/get-history-bulk-interval", { run_ids: [runA] });
    await fails("metrics/get-history-bulk-interval", { metric_key: "loss" });
  });
});

describe("/ajax-api/2.0/mlflow/metrics/get-history-bulk", () => {
  it("returns every point of each run, tagged with run_id and sorted per run", async () => {
    const response = await server.call("GET", `${AJAX}/metrics/get-history-bulk`, {
      run_id: [runA, runB],
      metric_key: "loss",
    });
    expect(response.status).toBe(200);
    const metrics = metricsOf(response.body);
    expect(metrics).toHaveLength(111);
    for (const runId of [runA, runB]) {
      const own = metrics.filter((metric) => metric.run_id === runId);
      const keys = own.map((metric) => [metric.timestamp, metric.step]);
      expect(keys).toEqual([...keys].sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!));
    }
  });

  it("refuses more than 100 runs or no metric_key", async () => {
    const runIds = Array.from({ length: 101 }, (_, i) => i.toString(16).padStart(32, "0"));
    await fails(`${AJAX}/metrics/get-history-bulk`, { run_id: runIds, metric_key: "loss" });
    await fails(`${AJAX}/metrics/get-history-bulk`, { run_id: [runA] });
  });

  it("caps max_results at 25000 instead of refusing more, and truncates the whole list to it", async () => {
    const capped = await server.call("GET", `${AJAX}/metrics/get-history-bulk`, {
      run_id: [runA],
      metric_key: "loss",
      max_results: 25001,
    });
    expect(capped.status, JSON.stringify(capped.body)).toBe(200);
    expect(metricsOf(capped.body)).toHaveLength(101);
    const few = await server.call("GET", `${AJAX}/metrics/get-history-bulk`, {
      run_id: [runA, runB],
      metric_key: "loss",
      max_results: 7,
    });
    expect(metricsOf(few.body)).toHaveLength(7);
  });

  it("is not served on /api/2.0 (it is a UI route)", async () => {
    const response = await server.call("GET", "metrics/get-history-bulk", { run_id: [runA], metric_key: "loss" });
    expect(response.status).toBe(404);
  });
});
