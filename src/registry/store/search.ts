/**
 * @module registry/store/search
 * `registered-models/search` and `model-versions/search` (reference/mlflow.md §4): the filter and
 * order_by parsed by the tracking search parser, turned into parameterised SQL here, with MLflow's
 * defaults, caps, tie-breaks and offset page tokens. Soft-deleted versions are never returned.
 */
import { type Expression, type SqlBool, sql } from "kysely";
import type { Page } from "../../tracking/entities.js";
import { decodePageToken, encodePageToken, resolveMaxResults } from "../../tracking/paging.js";
import { type Comparison, type OrderByClause, parseFilter, parseOrderBy } from "../../tracking/search/index.js";
import { type DialectName, nullsAsOnSqlite } from "../../tracking/store/database.js";
import { compareExpression } from "../../tracking/store/search-sql.js";
import {
  type ModelVersion,
  type RegisteredModel,
  type SearchRegistryInput,
  STAGE_DELETED_INTERNAL,
} from "../entities.js";
import { loadModels, loadVersions, type RegistryDb } from "./rows.js";

export const SEARCH_LIMITS = {
  registeredModelsDefault: 100,
  registeredModelsMax: 1000,
  // The default the MLflow handler applies; its store would otherwise use 1000.
  modelVersionsDefault: 10000,
  modelVersionsMax: 200000,
} as const;

const MODEL_COLUMNS: Readonly<Record<string, string>> = {
  name: "name",
  creation_timestamp: "creation_time",
  last_updated_timestamp: "last_updated_time",
};

const VERSION_COLUMNS: Readonly<Record<string, string>> = {
  name: "name",
  version_number: "version",
  source_path: "source",
  run_id: "run_id",
  creation_timestamp: "creation_time",
  last_updated_timestamp: "last_updated_time",
  current_stage: "current_stage",
};

const DEFAULT_VERSION_ORDER: readonly OrderByClause[] = [
  { type: "attribute", key: "last_updated_timestamp", ascending: false },
  { type: "attribute", key: "name", ascending: true },
  { type: "attribute", key: "version_number", ascending: false },
];

function modelCondition(dialect: DialectName, comparison: Comparison): Expression<SqlBool> {
  if (comparison.type === "tag") {
    return sql<SqlBool>`exists (select 1 from registered_model_tags t where t.name = registered_models.name and t.key = ${comparison.key} and ${compareExpression(dialect, sql.ref("t.value"), comparison)})`;
  }
  return compareExpression(
    dialect,
    sql.ref(`registered_models.${MODEL_COLUMNS[comparison.key] ?? "name"}`),
    comparison,
  );
}

function versionCondition(dialect: DialectName, comparison: Comparison): Expression<SqlBool> {
  if (comparison.type === "tag") {
    return sql<SqlBool>`exists (select 1 from model_version_tags t where t.name = model_versions.name and t.version = model_versions.version and t.key = ${comparison.key} and ${compareExpression(dialect, sql.ref("t.value"), comparison)})`;
  }
  return compareExpression(dialect, sql.ref(`model_versions.${VERSION_COLUMNS[comparison.key] ?? "name"}`), comparison);
}

/** Order terms with the tie-breaks appended when the caller did not order by those columns. */
function orderTerms(
  clauses: readonly OrderByClause[],
  columns: Readonly<Record<string, string>>,
  tieBreaks: readonly [string, "asc" | "desc"][],
): [string, "asc" | "desc"][] {
  const terms: [string, "asc" | "desc"][] = clauses.map((clause) => [
    columns[clause.key] ?? "name",
    clause.ascending ? "asc" : "desc",
  ]);
  for (const [column, direction] of tieBreaks) {
    if (!terms.some(([used]) => used === column)) terms.push([column, direction]);
  }
  return terms;
}

/** One row more than the page is read, so a next-page token is only given when there is a next page. */
function page<T>(items: T[], offset: number, maxResults: number): Page<T> {
  if (items.length <= maxResults) return { items };
  return { items: items.slice(0, maxResults), nextPageToken: encodePageToken(offset + maxResults) };
}

export async function searchRegisteredModels(
  db: RegistryDb,
  dialect: DialectName,
  input: SearchRegistryInput,
): Promise<Page<RegisteredModel>> {
  const maxResults = resolveMaxResults(
    input.maxResults,
    SEARCH_LIMITS.registeredModelsDefault,
    SEARCH_LIMITS.registeredModelsMax,
    "registered models search",
  );
  const offset = decodePageToken(input.pageToken);
  const filter = parseFilter(input.filter, "registered_models");
  const terms = orderTerms(parseOrderBy(input.orderBy, "registered_models"), MODEL_COLUMNS, [["name", "asc"]]);
  let query = db.selectFrom("registered_models").selectAll();
  for (const comparison of filter) query = query.where(modelCondition(dialect, comparison));
  for (const [column, direction] of terms) query = query.orderBy(sql.ref(`registered_models.${column}`), direction);
  const rows = await query
    .limit(maxResults + 1)
    .offset(offset)
    .execute();
  const result = page(rows, offset, maxResults);
  return { ...result, items: await loadModels(db, result.items) };
}

export async function searchModelVersions(
  db: RegistryDb,
  dialect: DialectName,
  input: SearchRegistryInput,
): Promise<Page<ModelVersion>> {
  const maxResults = resolveMaxResults(
    input.maxResults,
    SEARCH_LIMITS.modelVersionsDefault,
    SEARCH_LIMITS.modelVersionsMax,
    "model versions search",
  );
  const offset = decodePageToken(input.pageToken);
  const filter = parseFilter(input.filter, "model_versions");
  const orderBy = parseOrderBy(input.orderBy, "model_versions");
  const terms = orderTerms(orderBy.length > 0 ? orderBy : DEFAULT_VERSION_ORDER, VERSION_COLUMNS, [
    ["name", "asc"],
    ["version", "desc"],
  ]);
  let query = db.selectFrom("model_versions").selectAll().where("current_stage", "<>", STAGE_DELETED_INTERNAL);
  for (const comparison of filter) query = query.where(versionCondition(dialect, comparison));
  for (const [column, direction] of terms)
    query = query.orderBy(sql.ref(`model_versions.${column}`), nullsAsOnSqlite(dialect, direction));
  const rows = await query
    .limit(maxResults + 1)
    .offset(offset)
    .execute();
  const result = page(rows, offset, maxResults);
  return { ...result, items: await loadVersions(db, result.items, false) };
}
