/**
 * Alert rules: parsing with errors that name the place and the fix, Prometheus-style state changes
 * (pending → firing after `for`, resolved), actions (log, webhook, shell command with LATHE_ALERT_*
 * variables) that never throw when they fail, and the Prometheus and Grafana exports.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { createAlertEvaluator, parseAlertRules } from "../../src/monitoring/alerts.js";
import { formatDuration, parseDuration } from "../../src/monitoring/duration.js";
import { buildGrafanaDashboard } from "../../src/monitoring/grafana.js";
import { exportPrometheusRules } from "../../src/monitoring/prometheus.js";
import { type Listener, startListener } from "./helpers.js";

let folder: string;
let listener: Listener;
beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), "lathe-alerts-test-"));
  listener = await startListener();
});
afterAll(async () => {
  await listener.close();
  rmSync(folder, { recursive: true, force: true });
});

const at = (seconds: number) => new Date(Date.parse("2026-11-23T00:00:00Z") + seconds * 1000);

describe("alert rules", () => {
  it("parses a rules file", () => {
    const [rule] = parseAlertRules(`rules:
  - name: LowAccuracy
    metric: accuracy
    condition: "<= 0.8"
    for: 2m
    severity: critical
    labels: { team: ml }
    actions: [{ log: true }, { webhook: "http://127.0.0.1:9/x" }, { command: "true" }]
`);
    expect(rule).toMatchObject({
      name: "LowAccuracy",
      metric: "accuracy",
      operator: "<=",
      threshold: 0.8,
      forMs: 120_000,
      severity: "critical",
      labels: { team: "ml" },
    });
    expect(rule!.actions).toHaveLength(3);
  });

  it("names the problem and the fix in a bad file", () => {
    expect(() => parseAlertRules("rules: [")).toThrow(/not valid YAML/);
    expect(() => parseAlertRules("rules: []")).toThrow(/non-empty 'rules:' list/);
    expect(() => parseAlertRules("rules: [{name: 'bad name', metric: x, condition: '< 1'}]")).toThrow(
      /rules\[0\]\.name must be letters, digits and _/,
    );
    expect(() => parseAlertRules("rules: [{name: A, condition: '< 1'}]")).toThrow(
      /rules\[0\] \(A\)\.metric is missing/,
    );
    expect(() => parseAlertRules("rules: [{name: A, metric: x, condition: 'below 1'}]")).toThrow(
      /condition must be an operator and a number, e\.g\. "< 0\.05"/,
    );
    expect(() => parseAlertRules("rules: [{name: A, metric: x, condition: '< 1', for: soon}]")).toThrow(
      /for must be a duration like 30s/,
    );
    expect(() => parseAlertRules("rules: [{name: A, metric: x, condition: '< 1', severity: page}]")).toThrow(
      /severity must be one of info, warning, critical/,
    );
    expect(() => parseAlertRules("rules: [{name: A, metric: x, condition: '< 1', actions: [{email: x}]}]")).toThrow(
      /actions\[0\] must be one of \{webhook: URL\}/,
    );
    expect(() =>
      parseAlertRules("rules: [{name: A, metric: x, condition: '< 1'}, {name: A, metric: y, condition: '> 1'}]"),
    ).toThrow(/two rules are named 'A'/);
  });

  it("parses and formats durations", () => {
    expect(parseDuration("1h30m", "--window")).toBe(5_400_000);
    expect(parseDuration("250ms", "--interval")).toBe(250);
    expect(formatDuration(120_000)).toBe("2m");
    expect(formatDuration(90_000)).toBe("90s");
    expect(() => parseDuration("1 hour", "--window")).toThrow(/--window must be a duration like 30s, 5m, 1h/);
  });

  it("goes pending, fires after `for`, resolves, and runs its actions", async () => {
    const out = join(folder, "command.txt");
    const [rule] = parseAlertRules(`rules:
  - name: Drift
    metric: dataset_drift
    condition: "== 1"
    for: 2m
    actions:
      - log: true
      - webhook: ${listener.url}
      - command: 'echo "$LATHE_ALERT_NAME $LATHE_ALERT_STATUS $LATHE_ALERT_SEVERITY $LATHE_ALERT_VALUE" >> ${out}'
`);
    const lines: string[] = [];
    const alerts = createAlertEvaluator([rule!], { log: (line) => lines.push(line) });
    expect(await alerts.evaluate({ dataset_drift: 1 }, at(0))).toEqual([]);
    expect(alerts.state("Drift")).toBe("pending");
    expect(await alerts.evaluate({ dataset_drift: 1 }, at(60))).toEqual([]);
    const fired = await alerts.evaluate({ dataset_drift: 1 }, at(120));
    expect(fired.map((event) => event.status)).toEqual(["firing"]);
    expect(await alerts.evaluate({ dataset_drift: 1 }, at(180))).toEqual([]);
    const resolved = await alerts.evaluate({ dataset_drift: 0 }, at(240));
    expect(resolved.map((event) => event.status)).toEqual(["resolved"]);
    expect(alerts.state("Drift")).toBe("inactive");
    // A missing metric keeps the rule inactive.
    expect(await alerts.evaluate({}, at(300))).toEqual([]);

    expect(lines).toEqual([
      "alert Drift firing (warning): dataset_drift = 1, condition == 1",
      "alert Drift resolved (warning): dataset_drift = 0, condition == 1",
    ]);
    expect(listener.received.map((body) => (body as { status: string }).status)).toEqual(["firing", "resolved"]);
    expect(readFileSync(out, "utf8")).toBe("Drift firing warning 1\nDrift resolved warning 0\n");
  });

  it("reports failing actions without throwing", async () => {
    const rules = parseAlertRules(`rules:
  - name: Broken
    metric: accuracy
    condition: "< 0.9"
    actions:
      - webhook: http://127.0.0.1:1/nowhere
      - command: "exit 3"
`);
    const lines: string[] = [];
    const alerts = createAlertEvaluator(rules, { log: (line) => lines.push(line), actionTimeoutMs: 2000 });
    const events = await alerts.evaluate({ accuracy: 0.5 }, at(0));
    expect(events.map((event) => event.status)).toEqual(["firing"]);
    expect(lines.some((line) => /Broken: the webhook http:\/\/127\.0\.0\.1:1\/nowhere failed/.test(line))).toBe(true);
    expect(lines.some((line) => /Broken: the command 'exit 3' failed: exit code 3/.test(line))).toBe(true);
  });
});

describe("exports", () => {
  it("writes Prometheus alerting rules over the gauges", () => {
    const rules = parseAlertRules(`rules:
  - name: FeatureDrift
    metric: drift_p_value.petal_length_cm
    condition: "< 0.05"
    for: 2m
    severity: warning
    labels: { team: ml }
  - name: AnyDrift
    metric: drift_p_value
    condition: "< 0.01"
  - name: LowAccuracy
    metric: accuracy
    condition: "< 0.8"
    for: 10m
    severity: critical
  - name: HighErrorRate
    metric: 'sum(rate(lathe_serve_requests_total{code=~"5.."}[5m]))'
    condition: "> 0.1"
`);
    const document = parse(exportPrometheusRules(rules)) as {
      groups: { name: string; rules: Record<string, unknown>[] }[];
    };
    expect(document.groups[0]!.name).toBe("lathe-monitoring");
    expect(document.groups[0]!.rules).toEqual([
      expect.objectContaining({
        alert: "FeatureDrift",
        expr: 'lathe_drift_p_value{feature="petal_length_cm"} < 0.05',
        for: "2m",
        labels: { severity: "warning", team: "ml" },
      }),
      expect.objectContaining({ alert: "AnyDrift", expr: "(min(lathe_drift_p_value)) < 0.01", for: "0s" }),
      expect.objectContaining({ alert: "LowAccuracy", expr: "lathe_model_accuracy < 0.8", for: "10m" }),
      expect.objectContaining({
        alert: "HighErrorRate",
        expr: '(sum(rate(lathe_serve_requests_total{code=~"5.."}[5m]))) > 0.1',
      }),
    ]);
    expect(document.groups[0]!.rules[0]!.annotations).toHaveProperty("summary");
  });

  it("builds a Grafana dashboard with a Prometheus datasource variable and the promised panels", () => {
    const dashboard = buildGrafanaDashboard() as {
      uid: string;
      schemaVersion: number;
      templating: { list: { name: string; type: string; query: string }[] };
      panels: { id: number; title: string; datasource: { uid: string }; targets: { expr: string; refId: string }[] }[];
    };
    expect(dashboard.uid).toBe("lathe-model-serving");
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    expect(dashboard.templating.list[0]).toMatchObject({ name: "datasource", type: "datasource", query: "prometheus" });
    const titles = dashboard.panels.map((panel) => panel.title);
    expect(titles).toEqual(
      expect.arrayContaining([
        "Request rate",
        "Latency p50 / p99",
        "Error rate (share of 4xx/5xx)",
        "CPU",
        "Memory (resident)",
        "Event-loop lag p99",
        "Drift p-value per feature",
        "Drift detected",
        "Accuracy on labelled rows",
      ]),
    );
    expect(new Set(dashboard.panels.map((panel) => panel.id)).size).toBe(dashboard.panels.length);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variable syntax.
    for (const panel of dashboard.panels) expect(panel.datasource.uid).toBe("${datasource}");
    const exprs = dashboard.panels.flatMap((panel) => panel.targets.map((target) => target.expr)).join("\n");
    expect(exprs).toContain("histogram_quantile(0.99");
    expect(exprs).toContain("lathe_serve_request_duration_seconds_bucket");
    expect(exprs).toContain("nodejs_eventloop_lag_p99_seconds");
  });
});
