/**
 * @module monitoring
 * Drift monitoring: the statistics, the detectors and the table input they read.
 */
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
