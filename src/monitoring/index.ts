/**
 * @module monitoring
 * Drift monitoring: the statistics, the detectors and the table input they read; windows of the
 * prediction log, performance with feedback, alert rules, and the Prometheus/Grafana exports.
 */

export {
  type AlertAction,
  type AlertEvaluator,
  type AlertEvent,
  type AlertRule,
  createAlertEvaluator,
  parseAlertRules,
} from "./alerts.js";
export { type Correction, type CorrectionResult, correctPValues } from "./correction.js";
export {
  createFeatureDriftDetector,
  detectFeatureDrift,
  type FeatureDriftDetector,
  type FeatureDriftOptions,
} from "./detect.js";
export { detectMmdDrift, type MmdDriftOptions } from "./detect-mmd.js";
export {
  detectPredictionDrift,
  inferPredictionKind,
  type Prediction,
  type PredictionKind,
} from "./detect-prediction.js";
export { formatDuration, parseDuration } from "./duration.js";
export { buildGrafanaDashboard } from "./grafana.js";
export {
  createMonitor,
  type Monitor,
  type MonitorOptions,
  type MonitorReference,
  splitReference,
  type WindowResult,
} from "./monitor.js";
export { renderMonitorHtml } from "./monitor-html.js";
export { loadReference, type MonitorRunOptions, type MonitorRunResult, runMonitor } from "./monitor-run.js";
export { type Performance, scorePredictions, type Task } from "./performance.js";
export { exportPrometheusRules, promqlFor } from "./prometheus.js";
export type { ColumnDrift, DriftReport } from "./report.js";
export { renderDriftHtml } from "./report-html.js";
export * from "./stats/index.js";
export {
  type CategoricalColumn,
  type NumericColumn,
  parseCsv,
  readTable,
  type Table,
  type TableColumn,
  tableFromColumns,
} from "./table.js";
export { COLUMN_TESTS, type ColumnTestName, DRIFT_TESTS, type DriftTestName } from "./tests.js";
export { type MonitoringWindow, predictionsOf, readFeedback, readWindow, type WindowOptions } from "./window.js";
