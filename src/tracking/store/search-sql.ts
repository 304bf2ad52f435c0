/**
 * @module tracking/store/search-sql
 * Turns parsed search filters and order_by clauses into Kysely expressions. Every user value is a
 * bound parameter; identifiers come from fixed tables below, never from user text.
 */
import { type Expression, type RawBuilder, type SqlBool, sql } from "kysely";
import type { Comparison, OrderByClause } from "../search/ast.js";
import type { DialectName } from "./database.js";

/** Run attributes a filter or order_by may name, and the column each maps to. */
const RUN_ATTRIBUTE_COLUMNS: Record<string, string> = {
  run_id: "run_uuid",
  run_name: "name",
  status: "status",
  user_id: "user_id",
  artifact_uri: "artifact_uri",
  start_time: "start_time",
  end_time: "end_time",
  lifecycle_stage: "lifecycle_stage",
};

const EXPERIMENT_ATTRIBUTE_COLUMNS: Record<string, string> = {
  name: "name",
  experiment_id: "experiment_id",
  creation_time: "creation_time",
  last_update_time: "last_update_time",
};

/** A string or numeric comparison of `left` with the comparison's value, in the dialect's terms. */
export function compareExpression(
  dialect: DialectName,
  left: Expression<unknown>,
  comparison: Comparison,
): Expression<SqlBool> {
  const { operator } = comparison;
  // A bound number reaches PostgreSQL as text typed like the column, so 1.5 against a bigint column
  // (start_time, creation_time) would be a syntax error; as double precision it compares as on SQLite.
  const value =
    dialect === "postgres" && typeof comparison.value === "number"
      ? sql`cast(${comparison.value} as double precision)`
      : comparison.value;
  switch (operator) {
    // PostgreSQL treats a backslash in a pattern as an escape unless told otherwise; SQLite has no
    // escape character, and a backslash matches itself on both.
    case "LIKE":
      return dialect === "postgres"
        ? sql<SqlBool>`${left} like ${value} escape ''`
        : sql<SqlBool>`${left} like ${value}`;
    case "ILIKE":
      return dialect === "postgres"
        ? sql<SqlBool>`${left} ilike ${value} escape ''`
        : sql<SqlBool>`lower(${left}) like lower(${value})`;
    case "IN":
    case "NOT IN": {
      const list = Array.isArray(value) ? value : [value];
      if (list.length === 0) return operator === "IN" ? sql<SqlBool>`1 = 0` : sql<SqlBool>`1 = 1`;
      const items = sql.join(list.map((item) => sql`${item}`));
      return operator === "IN" ? sql<SqlBool>`${left} in (${items})` : sql<SqlBool>`${left} not in (${items})`;
    }
    case "=":
      return sql<SqlBool>`${left} = ${value}`;
    case "!=":
      return sql<SqlBool>`${left} <> ${value}`;
    case ">":
      return sql<SqlBool>`${left} > ${value}`;
    case ">=":
      return sql<SqlBool>`${left} >= ${value}`;
    case "<":
      return sql<SqlBool>`${left} < ${value}`;
    case "<=":
      return sql<SqlBool>`${left} <= ${value}`;
  }
}

const KEYED_TABLES = { metric: "latest_metrics", param: "params", tag: "tags" } as const;

export interface RunSearchSql {
  /** LEFT JOINs, one per distinct metric/param/tag key the filter or order_by names. */
  joins: RawBuilder<unknown>[];
  /** WHERE terms (ANDed). */
  conditions: Expression<SqlBool>[];
  /** ORDER BY terms, tie-breakers included. */
  terms: RawBuilder<unknown>[];
}

/**
 * Plans a runs search: each metric, param or tag key named anywhere is joined once, and both the
 * filter and the order use that join. A comparison on a missing key is NULL, so it never matches,
 * even for "!=" (MLflow's rule). Each order key sorts real values first, then NaN, then missing,
 * whatever the direction (as MLflow's SQL store does); start_time DESC, run_id ASC break ties.
 */
export function planRunSearch(
  dialect: DialectName,
  filter: readonly Comparison[],
  orderBy: readonly OrderByClause[],
): RunSearchSql {
  const joins: RawBuilder<unknown>[] = [];
  const aliases = new Map<string, string>();
  const joinFor = (type: keyof typeof KEYED_TABLES, key: string): string => {
    const id = `${type}\u0000${key}`;
    let alias = aliases.get(id);
    if (alias === undefined) {
      alias = `k${aliases.size}`;
      aliases.set(id, alias);
      joins.push(
        sql`left join ${sql.table(KEYED_TABLES[type])} as ${sql.id(alias)} on ${sql.ref(`${alias}.run_uuid`)} = runs.run_uuid and ${sql.ref(`${alias}.key`)} = ${key}`,
      );
    }
    return alias;
  };

  const conditions = filter.map((comparison): Expression<SqlBool> => {
    if (comparison.type === "attribute") {
      const column = RUN_ATTRIBUTE_COLUMNS[comparison.key] ?? "run_uuid";
      return compareExpression(dialect, sql.ref(`runs.${column}`), comparison);
    }
    if (comparison.type === "dataset") return datasetComparison(dialect, comparison);
    const alias = joinFor(comparison.type, comparison.key);
    const value = compareExpression(dialect, sql.ref(`${alias}.value`), comparison);
    if (comparison.type !== "metric") return value;
    // NaN points are stored as 0 with is_nan = 1; NaN only satisfies "!=".
    const isNan = sql.ref(`${alias}.is_nan`);
    return comparison.operator === "!="
      ? sql<SqlBool>`(${isNan} = 1 or ${value})`
      : sql<SqlBool>`(${isNan} = 0 and ${value})`;
  });

  const topN = indexOrderedMetric(filter, orderBy);
  if (topN) {
    // Present and not NaN by the filter, so the presence bucket is constant: order by the index's
    // own columns and let the database walk it (see latest_metrics_order_* in the migrations).
    const alias = joinFor("metric", topN.key);
    const direction = topN.ascending ? sql`asc` : sql`desc`;
    return {
      joins,
      conditions,
      terms: [
        sql`${sql.ref(`${alias}.value`)} ${direction}`,
        sql`${sql.ref(`${alias}.start_time`)} desc`,
        sql`${sql.ref(`${alias}.run_uuid`)} asc`,
      ],
    };
  }
  const terms: RawBuilder<unknown>[] = [];
  let hasStartTime = false;
  let hasRunId = false;
  for (const clause of orderBy) {
    const direction = clause.ascending ? sql`asc` : sql`desc`;
    if (clause.type === "attribute") {
      const column = RUN_ATTRIBUTE_COLUMNS[clause.key] ?? "start_time";
      if (column === "start_time") hasStartTime = true;
      if (column === "run_uuid") hasRunId = true;
      const ref = sql.ref(`runs.${column}`);
      terms.push(sql`case when ${ref} is null then 1 else 0 end`, sql`${ref} ${direction}`);
      continue;
    }
    if (clause.type === "dataset") continue;
    const alias = joinFor(clause.type, clause.key);
    const present = sql.ref(`${alias}.run_uuid`);
    terms.push(
      clause.type === "metric"
        ? sql`case when ${present} is null then 2 when ${sql.ref(`${alias}.is_nan`)} = 1 then 1 else 0 end`
        : sql`case when ${present} is null then 1 else 0 end`,
      sql`${sql.ref(`${alias}.value`)} ${direction}`,
    );
  }
  if (!hasStartTime) terms.push(sql`runs.start_time desc`);
  if (!hasRunId) terms.push(sql`runs.run_uuid asc`);
  return { joins, conditions, terms };
}

/**
 * The order key when a search orders by a single metric that the filter also requires to be
 * present and a number (any comparison but "!=", which NaN satisfies).
 */
function indexOrderedMetric(
  filter: readonly Comparison[],
  orderBy: readonly OrderByClause[],
): OrderByClause | undefined {
  const [only, ...rest] = orderBy;
  if (!only || rest.length > 0 || only.type !== "metric") return undefined;
  const required = filter.some(
    (comparison) => comparison.type === "metric" && comparison.key === only.key && comparison.operator !== "!=",
  );
  return required ? only : undefined;
}

function datasetComparison(dialect: DialectName, comparison: Comparison): Expression<SqlBool> {
  if (comparison.key === "context") {
    return sql<SqlBool>`exists (select 1 from inputs i join input_tags it on it.input_uuid = i.input_uuid where i.destination_type = 'RUN' and i.destination_id = runs.run_uuid and it.name = 'mlflow.data.context' and ${compareExpression(dialect, sql.ref("it.value"), comparison)})`;
  }
  const column = comparison.key === "digest" ? "d.digest" : "d.name";
  return sql<SqlBool>`exists (select 1 from inputs i join datasets d on d.dataset_uuid = i.source_id where i.source_type = 'DATASET' and i.destination_type = 'RUN' and i.destination_id = runs.run_uuid and ${compareExpression(dialect, sql.ref(column), comparison)})`;
}

/** Experiment filter comparisons: attributes or tags. */
export function experimentComparison(dialect: DialectName, comparison: Comparison): Expression<SqlBool> {
  if (comparison.type === "tag") {
    return sql<SqlBool>`exists (select 1 from experiment_tags t where t.experiment_id = experiments.experiment_id and t.key = ${comparison.key} and ${compareExpression(dialect, sql.ref("t.value"), comparison)})`;
  }
  const column = EXPERIMENT_ATTRIBUTE_COLUMNS[comparison.key] ?? "name";
  return compareExpression(dialect, sql.ref(`experiments.${column}`), comparison);
}

export function experimentOrderColumn(key: string): string {
  return EXPERIMENT_ATTRIBUTE_COLUMNS[key] ?? "creation_time";
}
