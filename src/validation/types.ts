/**
 * @module validation/types
 * The shapes shared by suites, expectations and results. Result objects keep Great Expectations'
 * field names (snake_case) so a GX user reads them as-is (reference/monitoring.md §4.2, §4.4).
 */

/** A kwarg after validation. */
export type KwargValue =
  | string
  | number
  | boolean
  | null
  | readonly (string | number | boolean)[]
  | PartitionObject
  | undefined;

export type Kwargs = Readonly<Record<string, KwargValue>>;

/** GX's `partition_object`: bin edges (continuous) or values (categorical) with their weights. */
export interface PartitionObject {
  bins?: number[];
  values?: (string | number | boolean)[];
  weights: number[];
  tail_weights?: [number, number];
}

export interface ExpectationConfig {
  type: string;
  kwargs: Record<string, unknown>;
  meta: Record<string, unknown>;
}

export interface ExpectationSuite {
  name: string;
  expectations: ExpectationConfig[];
  meta: Record<string, unknown>;
}

/** A column of the data as DuckDB typed it. */
export interface ColumnInfo {
  name: string;
  type: string;
}

export interface ExceptionInfo {
  raised_exception: boolean;
  exception_message: string | null;
  exception_traceback: string | null;
}

export interface ExpectationResult {
  success: boolean;
  expectation_config: ExpectationConfig;
  result: Record<string, unknown>;
  meta: Record<string, unknown>;
  exception_info: ExceptionInfo;
}

export interface ValidationStatistics {
  evaluated_expectations: number;
  successful_expectations: number;
  unsuccessful_expectations: number;
  success_percent: number | null;
}

export interface ValidationResult {
  success: boolean;
  suite_name: string;
  statistics: ValidationStatistics;
  results: ExpectationResult[];
  suite_parameters: Record<string, never>;
  meta: { lathe_version: string; batch_spec: { path: string }; validation_time: string };
}
