/**
 * The exported alerting rules in a real Prometheus (Debian package `prometheus`): `promtool check
 * rules` accepts them, and a Prometheus started on a free loopback port scrapes the model server,
 * evaluates the rules and reports the drift alert firing on its HTTP API (`/api/v1/alerts`).
 * Skipped when `prometheus`/`promtool` are not installed.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAlertRules } from "../../src/monitoring/alerts.js";
import { exportPrometheusRules } from "../../src/monitoring/prometheus.js";
import { FIXTURES, type ServingUnderTest, startServing } from "../serving/helpers.js";
import { freePort } from "./helpers.js";

const installed = ["prometheus", "promtool"].every(
  (tool) => spawnSync("sh", ["-c", `command -v ${tool}`], { stdio: "ignore" }).status === 0,
);
if (!installed)
  process.stderr.write(
    "Skipping the Prometheus test: install Prometheus to enable it (apt-get install -y prometheus).\n",
  );

const RULES = `rules:
  - name: FeatureDrift
    metric: drift_p_value.petal_length_cm
    condition: "< 0.05"
    for: 0s
    severity: warning
    labels: { team: ml }
  - name: DatasetDrift
    metric: dataset_drift
    condition: "== 1"
    for: 2s
    severity: critical
  - name: LowAccuracy
    metric: accuracy
    condition: "< 0.8"
    for: 10m
  - name: ServerErrors
    metric: 'sum(rate(lathe_serve_requests_total{code=~"5.."}[1m]))'
    condition: "> 0"
    for: 1m
`;

describe.skipIf(!installed)("Prometheus evaluates the exported rules", () => {
  let folder: string;
  let serving: ServingUnderTest;
  let prometheus: ChildProcess | undefined;
  let output = "";

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), "lathe-prometheus-test-"));
    serving = await startServing(join(FIXTURES, "onnx", "iris_logreg.onnx"));
  });
  afterAll(async () => {
    if (prometheus && prometheus.exitCode === null) {
      prometheus.kill("SIGTERM");
      await new Promise((resolve) => prometheus!.once("exit", resolve));
    }
    await serving.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it("passes promtool check rules", () => {
    const file = join(folder, "alerts.yml");
    writeFileSync(file, exportPrometheusRules(parseAlertRules(RULES)));
    const out = execFileSync("promtool", ["check", "rules", file], { encoding: "utf8" });
    expect(out).toMatch(/SUCCESS: 4 rules found/);
  });

  it("scrapes the model server and reports the drift alert firing", async () => {
    const reply = await serving.post("/monitoring", {
      feature_p_values: { petal_length_cm: 0.0001, sepal_width_cm: 0.6 },
      dataset_drift: true,
      accuracy: 0.93,
    });
    expect(reply.status).toBe(200);
    const port = await freePort();
    const target = new URL(serving.url).host;
    writeFileSync(
      join(folder, "prometheus.yml"),
      `global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - ${join(folder, "alerts.yml")}
scrape_configs:
  - job_name: lathe-serve
    static_configs:
      - targets: ["${target}"]
`,
    );
    prometheus = spawn(
      "prometheus",
      [
        `--config.file=${join(folder, "prometheus.yml")}`,
        `--storage.tsdb.path=${join(folder, "data")}`,
        `--web.listen-address=127.0.0.1:${port}`,
        "--log.level=warn",
      ],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    prometheus.stderr?.on("data", (chunk) => {
      output += String(chunk);
    });

    type Alert = { labels: Record<string, string>; state: string };
    let alerts: Alert[] = [];
    const deadline = Date.now() + 40_000;
    while (Date.now() < deadline) {
      await sleep(500);
      if (prometheus.exitCode !== null) break;
      try {
        const response = await fetch(`http://127.0.0.1:${port}/api/v1/alerts`);
        alerts = ((await response.json()) as { data: { alerts: Alert[] } }).data.alerts;
      } catch {
        continue;
      }
      const firing = new Set(alerts.filter((alert) => alert.state === "firing").map((alert) => alert.labels.alertname));
      if (firing.has("FeatureDrift") && firing.has("DatasetDrift")) break;
    }
    expect(prometheus.exitCode, output).toBeNull();
    const feature = alerts.find((alert) => alert.labels.alertname === "FeatureDrift");
    expect(feature, JSON.stringify(alerts)).toMatchObject({
      state: "firing",
      labels: { severity: "warning", team: "ml", feature: "petal_length_cm", model: "iris_logreg" },
    });
    expect(alerts.find((alert) => alert.labels.alertname === "DatasetDrift")?.state).toBe("firing");
    // Accuracy 0.93 is fine, and no request failed.
    expect(alerts.map((alert) => alert.labels.alertname)).not.toContain("LowAccuracy");
    expect(alerts.map((alert) => alert.labels.alertname)).not.toContain("ServerErrors");
  }, 60_000);
});
