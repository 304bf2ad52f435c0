/**
 * @module tracking/search/ast
 * The parsed form of an MLflow search filter and order_by clause (reference/mlflow.md §4). The
 * parser produces these; the store turns them into parameterised SQL. User text never reaches SQL
 * except as a bound parameter.
 */

/** What is being searched: each entity allows different identifiers and operators. */
export type SearchEntity = "runs" | "experiments" | "registered_models" | "model_versions";

export type IdentifierType = "metric" | "param" | "tag" | "attribute" | "dataset";

export type ComparisonOperator = "=" | "!=" | ">" | ">=" | "<" | "<=" | "LIKE" | "ILIKE" | "IN" | "NOT IN";

export interface Comparison {
  readonly type: IdentifierType;
  /**
   * The key: a metric/param/tag name, or the canonical attribute name (`run_id`, `run_name`,
   * `status`, `user_id`, `artifact_uri`, `start_time`, `end_time`, `name`, `creation_time`,
   * `last_update_time`, `source_path`, `version_number`, ...), or the dataset field
   * (`name`, `digest`, `context`).
   */
  readonly key: string;
  readonly operator: ComparisonOperator;
  /** number for numeric comparisons, string for string comparisons, string[] for IN / NOT IN. */
  readonly value: number | string | readonly string[];
}

/** A filter is comparisons joined by AND (MLflow allows nothing else). Empty = no filter. */
export type Filter = readonly Comparison[];

export interface OrderByClause {
  readonly type: IdentifierType;
  readonly key: string;
  readonly ascending: boolean;
}
