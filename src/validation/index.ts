/**
 * @module validation
 * Data validation with Great Expectations' vocabulary: suites, a DuckDB-backed validator over CSV
 * and Parquet, a profiler that drafts a suite from reference data, and text and HTML reports.
 */
export { EXPECTATIONS } from "./expectations/index.js";
export { renderValidationHtml } from "./html.js";
export { formatSuite, type ProfileOptions, profileData } from "./profile.js";
export { renderReport } from "./report.js";
export { compileSuite, loadSuite, parseSuite, suiteFromObject } from "./suite.js";
export type {
  ExpectationConfig,
  ExpectationResult,
  ExpectationSuite,
  ValidationResult,
  ValidationStatistics,
} from "./types.js";
export { resultToJson, validateData } from "./validate.js";
