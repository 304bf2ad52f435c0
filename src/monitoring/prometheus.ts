/**
 * @module monitoring/prometheus
 * Exports for a Prometheus/Grafana stack: the alert rules as a Prometheus alerting-rules file
 * (`groups` → `rules` with `alert`, `expr`, `for`, `labels`, `annotations`, as `promtool check rules`
 * reads it) over the gauges the model server publishes (`POST /monitoring`) and its serving metrics.
 * A rule's `metric` is a monitoring metric name (mapped below) or, for anything else, a PromQL
 * expression used as written (`rate(lathe_serve_requests_total{code=~"5.."}[5m])`).
 */
import { stringify } from "yaml";
import type { AlertRule } from "./alerts.js";
import { formatDuration } from "./duration.js";

/** Monitoring metric → the PromQL series the model server publishes for it. */
const GAUGES: Readonly<Record<string, string>> = {
  drift_p_value: "min(lathe_drift_p_value)",
  dataset_drift: "lathe_drift_detected",
  share_of_drifted_columns: "lathe_drift_share",
  prediction_drift_p_value: "lathe_prediction_drift_p_value",
  accuracy: "lathe_model_accuracy",
  f1_macro: "lathe_model_f1",
  mae: "lathe_model_mae",
  rmse: "lathe_model_rmse",
  window_rows: "lathe_monitoring_window_rows",
};

/** True when `lathe monitor --watch` itself computes `metric` (not a raw PromQL expression). */
export function isMonitoringMetric(metric: string): boolean {
  return metric in GAUGES || metric.startsWith("drift_p_value.");
}

/** The PromQL expression a rule's metric stands for. */
export function promqlFor(metric: string): string {
  const gauge = GAUGES[metric];
  if (gauge) return gauge;
  if (metric.startsWith("drift_p_value.")) {
    const feature = metric.slice("drift_p_value.".length).replace(/\\/g, "\\\\").replace(/"/g, '\\"');
    return `lathe_drift_p_value{feature="${feature}"}`;
  }
  return metric;
}

/** The rules as a Prometheus alerting-rules YAML document. */
export function exportPrometheusRules(rules: readonly AlertRule[], group = "lathe-monitoring"): string {
  const document = {
    groups: [
      {
        name: group,
        rules: rules.map((rule) => {
          const expr = promqlFor(rule.metric);
          const wrapped = /^[\w:]+(\{.*\})?$/.test(expr) ? expr : `(${expr})`;
          return {
            alert: rule.name,
            expr: `${wrapped} ${rule.operator} ${rule.threshold}`,
            for: formatDuration(rule.forMs),
            labels: { severity: rule.severity, ...rule.labels },
            annotations: {
              summary: `${rule.name}: ${rule.metric} ${rule.condition}`,
              description: `${rule.metric} is {{ $value }}, which meets the condition ${rule.condition} (instance {{ $labels.instance }}).`,
            },
          };
        }),
      },
    ],
  };
  return `# Prometheus alerting rules exported by lathe monitor export-rules.\n${stringify(document, { lineWidth: 0 })}`;
}
