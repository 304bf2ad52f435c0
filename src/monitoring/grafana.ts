/**
 * @module monitoring/grafana
 * A Grafana dashboard (JSON model, schemaVersion 39) over the model server's metrics: request rate,
 * latency p50/p99 from the duration histogram, error rate, CPU and memory, event-loop lag, drift
 * p-values, the drift verdict and accuracy. The Prometheus data source is a dashboard variable
 * (`${datasource}`), so the file imports as-is into any Grafana with a Prometheus source.
 */

interface PanelSpec {
  readonly title: string;
  readonly unit: string;
  readonly targets: readonly { expr: string; legend: string }[];
  readonly type?: "timeseries" | "stat";
  readonly max?: number;
}

// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's own variable syntax, substituted on import.
const DATASOURCE = { type: "prometheus", uid: "${datasource}" };

const PANELS: readonly PanelSpec[] = [
  {
    title: "Request rate",
    unit: "reqps",
    targets: [
      { expr: "sum by (endpoint) (rate(lathe_serve_requests_total[$__rate_interval]))", legend: "{{endpoint}}" },
    ],
  },
  {
    title: "Latency p50 / p99",
    unit: "s",
    targets: [
      {
        expr: "histogram_quantile(0.5, sum by (le) (rate(lathe_serve_request_duration_seconds_bucket[$__rate_interval])))",
        legend: "p50",
      },
      {
        expr: "histogram_quantile(0.99, sum by (le) (rate(lathe_serve_request_duration_seconds_bucket[$__rate_interval])))",
        legend: "p99",
      },
    ],
  },
  {
    title: "Error rate (share of 4xx/5xx)",
    unit: "percentunit",
    targets: [
      {
        expr: 'sum(rate(lathe_serve_requests_total{code=~"4..|5.."}[$__rate_interval])) / clamp_min(sum(rate(lathe_serve_requests_total[$__rate_interval])), 1e-9)',
        legend: "errors",
      },
    ],
  },
  {
    title: "CPU",
    unit: "percentunit",
    targets: [{ expr: "rate(process_cpu_seconds_total[$__rate_interval])", legend: "{{instance}}" }],
  },
  {
    title: "Memory (resident)",
    unit: "bytes",
    targets: [{ expr: "process_resident_memory_bytes", legend: "{{instance}}" }],
  },
  {
    title: "Event-loop lag p99",
    unit: "s",
    targets: [{ expr: "nodejs_eventloop_lag_p99_seconds", legend: "{{instance}}" }],
  },
  {
    title: "Drift p-value per feature",
    unit: "none",
    max: 1,
    targets: [{ expr: "lathe_drift_p_value", legend: "{{feature}}" }],
  },
  {
    title: "Drift detected",
    unit: "none",
    type: "stat",
    targets: [{ expr: "max(lathe_drift_detected)", legend: "drift" }],
  },
  {
    title: "Accuracy on labelled rows",
    unit: "percentunit",
    max: 1,
    targets: [
      { expr: "lathe_model_accuracy", legend: "accuracy" },
      { expr: "lathe_model_f1", legend: "macro F1" },
    ],
  },
];

/** The dashboard's JSON model. */
export function buildGrafanaDashboard(options: { title?: string; uid?: string } = {}): Record<string, unknown> {
  return {
    uid: options.uid ?? "lathe-model-serving",
    title: options.title ?? "Lathe model serving",
    tags: ["lathe", "mlops"],
    timezone: "utc",
    editable: true,
    schemaVersion: 39,
    version: 1,
    refresh: "10s",
    time: { from: "now-1h", to: "now" },
    templating: {
      list: [
        {
          name: "datasource",
          label: "Prometheus",
          type: "datasource",
          query: "prometheus",
          current: {},
          hide: 0,
          refresh: 1,
        },
      ],
    },
    annotations: { list: [] },
    panels: PANELS.map((panel, index) => ({
      id: index + 1,
      title: panel.title,
      type: panel.type ?? "timeseries",
      datasource: DATASOURCE,
      gridPos: { h: 8, w: 8, x: (index % 3) * 8, y: Math.floor(index / 3) * 8 },
      fieldConfig: {
        defaults: { unit: panel.unit, ...(panel.max !== undefined ? { min: 0, max: panel.max } : {}) },
        overrides: [],
      },
      options: {},
      targets: panel.targets.map((target, k) => ({
        refId: String.fromCharCode(65 + k),
        datasource: DATASOURCE,
        expr: target.expr,
        legendFormat: target.legend,
      })),
    })),
  };
}
