/**
 * The monitoring scenario: an iris model trained, registered and served by alias with a prediction
 * log; 20 windows of in-distribution traffic (at most one flagged at p = 0.05), then shifted traffic
 * (petal length + 1.5 cm) flagged within one window; feedback labels show the accuracy drop; a drift
 * alert fires to a webhook; `runMonitor` logs a monitoring run, sets the server's gauges and writes
 * the HTML report.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LatheClient } from "../../src/client/client.js";
import { parseParamPairs, trainCommand } from "../../src/models/train-command.js";
import { createAlertEvaluator, parseAlertRules } from "../../src/monitoring/alerts.js";
import { createMonitor, type MonitorReference } from "../../src/monitoring/monitor.js";
import { loadReference, runMonitor } from "../../src/monitoring/monitor-run.js";
import { readWindow } from "../../src/monitoring/window.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { type ServingUnderTest, startServing } from "../serving/helpers.js";
import { IRIS, type Listener, readIris, seededRandom, startListener } from "./helpers.js";

const ROWS_PER_WINDOW = 50;
const REQUESTS_PER_WINDOW = 5;

let registry: TestServer;
let client: LatheClient;
let serving: ServingUnderTest;
let listener: Listener;
let folder: string;
let reference: MonitorReference;
const iris = readIris();
const random = seededRandom(7);

/** Sends one window of traffic (rows sampled from iris, optionally shifted) with feedback labels. */
async function sendWindow(shift: number): Promise<void> {
  const perRequest = ROWS_PER_WINDOW / REQUESTS_PER_WINDOW;
  const feedback: { request_id: string; label: string[] }[] = [];
  for (let r = 0; r < REQUESTS_PER_WINDOW; r++) {
    const sample = Array.from({ length: perRequest }, () => iris.rows[Math.floor(random() * iris.rows.length)]!);
    const reply = await serving.post("/invocations", {
      dataframe_split: {
        columns: iris.columns,
        data: sample.map((row) => row.features.map((value, f) => (f === 2 ? value + shift : value))),
      },
    });
    expect(reply.status).toBe(200);
    feedback.push({ request_id: reply.headers.get("x-request-id")!, label: sample.map((row) => row.species) });
  }
  const reply = await serving.post("/feedback", { feedback });
  expect(reply.body).toEqual({ accepted: REQUESTS_PER_WINDOW, dropped: 0 });
  await serving.server.log!.flush();
  // The feedback log flushes on its own timer (200 ms).
  await sleep(300);
}

beforeAll(async () => {
  registry = await startTestServer();
  client = new LatheClient({ trackingUri: registry.url });
  folder = mkdtempSync(join(tmpdir(), "lathe-monitor-test-"));
  listener = await startListener();
  const result = await trainCommand({
    data: IRIS,
    target: "species",
    algo: "rf",
    params: parseParamPairs(["n_estimators=20", "max_depth=4"]),
    client,
    experiment: "iris",
    register: "iris",
  });
  await client.setRegisteredModelAlias("iris", "champion", result.registered!.version);
  serving = await startServing("models:/iris@champion", { trackingUri: registry.url });
  reference = await loadReference({ model: "models:/iris@champion", logDir: serving.logDir, client });
}, 60_000);

afterAll(async () => {
  await serving?.close();
  await registry?.close();
  await listener?.close();
  rmSync(folder, { recursive: true, force: true });
});

describe("monitoring a served iris model", () => {
  it("takes the reference from the model's run", () => {
    expect(reference.featureNames).toEqual(iris.columns);
    expect(reference.targetName).toBe("species");
    expect(reference.task).toBe("classification");
    expect(reference.features.rowCount).toBeGreaterThanOrEqual(100);
  });

  it("flags in-distribution traffic at most once in 20 windows, shifted traffic at once, and fires the alert", async () => {
    const monitor = createMonitor(reference, { pVal: 0.05 });
    const rules = parseAlertRules(
      `rules:
  - name: PetalLengthDrift
    metric: drift_p_value.petal_length_cm
    condition: "< 0.01"
    for: 1m
    severity: critical
    actions:
      - log: true
      - webhook: ${listener.url}
`,
    );
    const lines: string[] = [];
    const alerts = createAlertEvaluator(rules, { log: (line) => lines.push(line) });
    const start = Date.parse("2026-11-23T00:00:00Z");
    const evaluate = async (index: number) => {
      const window = await readWindow({
        logDir: serving.logDir,
        features: reference.featureNames,
        rows: ROWS_PER_WINDOW,
      });
      expect(window.rowCount).toBe(ROWS_PER_WINDOW);
      expect(window.labelledCount).toBe(ROWS_PER_WINDOW);
      const result = monitor.evaluate(window, index);
      const events = await alerts.evaluate(result.metrics, new Date(start + index * 60_000));
      return { result, events };
    };

    let flagged = 0;
    const accuracies: number[] = [];
    for (let index = 0; index < 20; index++) {
      await sendWindow(0);
      const { result, events } = await evaluate(index);
      if (result.drift!.number_of_drifted_columns > 0) flagged++;
      accuracies.push(result.metrics.accuracy!);
      expect(events).toEqual([]);
    }
    expect(flagged).toBeLessThanOrEqual(1);
    const inDistribution = accuracies.reduce((a, b) => a + b, 0) / accuracies.length;
    expect(inDistribution).toBeGreaterThan(0.9);

    await sendWindow(1.5);
    const first = await evaluate(20);
    const petal = first.result.drift!.columns.find((column) => column.column === "petal_length_cm")!;
    expect(petal.drift).toBe(true);
    expect(first.result.metrics["drift_p_value.petal_length_cm"]).toBeLessThan(0.01);
    expect(first.result.metrics.accuracy).toBeLessThan(inDistribution - 0.1);
    expect(first.result.predictionDrift?.drift).toBe(true);
    // The requests behind the window: answered ones with their latencies, none failed.
    const { requests, errors, error_rate, latency_p50_ms, latency_p99_ms, throughput_rps } = first.result.metrics;
    expect(requests).toBeGreaterThan(0);
    expect([errors, error_rate]).toEqual([0, 0]);
    expect(latency_p50_ms).toBeGreaterThan(0);
    expect(latency_p99_ms).toBeGreaterThanOrEqual(latency_p50_ms!);
    expect(throughput_rps).toBeGreaterThan(0);
    expect(alerts.state("PetalLengthDrift")).toBe("pending");

    await sendWindow(1.5);
    const second = await evaluate(21);
    expect(second.events.map((event) => [event.rule.name, event.status])).toEqual([["PetalLengthDrift", "firing"]]);
    expect(alerts.state("PetalLengthDrift")).toBe("firing");
    expect(lines.some((line) => line.includes("alert PetalLengthDrift firing (critical)"))).toBe(true);
    expect(listener.received).toHaveLength(1);
    expect(listener.received[0]).toMatchObject({
      status: "firing",
      alert: "PetalLengthDrift",
      severity: "critical",
      metric: "drift_p_value.petal_length_cm",
    });
  }, 120_000);

  it("logs a monitoring run, publishes the gauges and writes the report", async () => {
    const html = join(folder, "report.html");
    const outcome = await runMonitor({
      model: "models:/iris@champion",
      logDir: serving.logDir,
      windowRows: 100,
      watch: true,
      maxWindows: 2,
      intervalMs: 10,
      serverUrl: serving.url,
      html,
      client,
      log: () => undefined,
    });
    expect(outcome.results).toHaveLength(2);
    const run = await client.getRun(outcome.runId!);
    const experiment = await client.getExperimentByName("monitoring-iris");
    expect(run.info.experiment_id).toBe(experiment.experiment_id);
    const keys = run.data.metrics.map((metric) => metric.key);
    expect(keys).toEqual(
      expect.arrayContaining([
        "drift_p_value.petal_length_cm",
        "dataset_drift",
        "accuracy",
        "prediction_drift_p_value",
      ]),
    );
    const history = await client.getMetricHistory(outcome.runId!, "dataset_drift");
    expect(history.map((metric) => metric.step).sort()).toEqual([0, 1]);

    const metrics = (await serving.get("/metrics")).text;
    expect(metrics).toMatch(/lathe_drift_p_value\{model="iris",feature="petal_length_cm"\} [\d.e-]+/);
    expect(metrics).toMatch(/lathe_drift_detected\{model="iris"\} [01]/);
    expect(metrics).toMatch(/lathe_model_accuracy\{model="iris"\} 0\.\d+/);
    expect(metrics).toMatch(/lathe_prediction_drift_p_value\{model="iris"\} [\d.e-]+/);

    const page = readFileSync(html, "utf8");
    expect(page).toContain("Monitoring of models:/iris@champion");
    expect(page).toContain("Drift p-value per feature");
    expect(page).toContain("Accuracy and macro F1");
    expect(page).toContain("petal_length_cm");
    expect(page).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
  }, 60_000);

  it("refuses bad input, naming the fix", async () => {
    await expect(runMonitor({ model: "models:/iris@champion", logDir: serving.logDir, client })).rejects.toThrow(
      /exactly one of --window/,
    );
    await expect(runMonitor({ model: folder, logDir: serving.logDir, windowRows: 10 })).rejects.toThrow(
      /not a model directory|--reference/,
    );
    await expect(
      runMonitor({ model: "models:/nope@champion", logDir: serving.logDir, windowRows: 10, client }),
    ).rejects.toThrow(/Cannot resolve 'models:\/nope@champion'/);
    await expect(
      runMonitor({
        model: "models:/iris@champion",
        logDir: join(folder, "missing"),
        windowRows: 10,
        client,
        log: () => undefined,
      }),
    ).rejects.toThrow(/--log-dir/);
  });
});
