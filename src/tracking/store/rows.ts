/**
 * @module tracking/store/rows
 * Conversions between table rows and entities, and the metric value encoding MLflow's SQL store
 * uses: NaN is stored as 0 with is_nan = 1, and ±Infinity is clamped to ±Number.MAX_VALUE.
 */
import type { Kysely } from "kysely";
import type { DatasetInput, Experiment, LifecycleStage, Metric, Run, RunInfo, RunStatus, Tag } from "../entities.js";
import type { ExperimentsTable, MetricsTable, RunsTable, TrackingDatabase } from "./schema.js";

export function encodeMetricValue(value: number): { value: number; is_nan: number } {
  if (Number.isNaN(value)) return { value: 0, is_nan: 1 };
  if (value === Number.POSITIVE_INFINITY) return { value: Number.MAX_VALUE, is_nan: 0 };
  if (value === Number.NEGATIVE_INFINITY) return { value: -Number.MAX_VALUE, is_nan: 0 };
  return { value, is_nan: 0 };
}

export function metricFromRow(row: Pick<MetricsTable, "key" | "value" | "timestamp" | "step" | "is_nan">): Metric {
  return {
    key: row.key,
    value: row.is_nan ? Number.NaN : Number(row.value),
    timestamp: Number(row.timestamp),
    step: Number(row.step),
  };
}

export function experimentFromRow(row: ExperimentsTable, tags: Tag[]): Experiment {
  return {
    experiment_id: String(row.experiment_id),
    name: row.name,
    artifact_location: row.artifact_location,
    lifecycle_stage: row.lifecycle_stage as LifecycleStage,
    last_update_time: Number(row.last_update_time),
    creation_time: Number(row.creation_time),
    tags,
  };
}

export function runInfoFromRow(row: RunsTable): RunInfo {
  return {
    run_id: row.run_uuid,
    run_uuid: row.run_uuid,
    run_name: row.name,
    experiment_id: String(row.experiment_id),
    user_id: row.user_id,
    status: row.status as RunStatus,
    start_time: Number(row.start_time),
    end_time: row.end_time === null ? null : Number(row.end_time),
    artifact_uri: row.artifact_uri,
    lifecycle_stage: row.lifecycle_stage as LifecycleStage,
  };
}

function groupBy<T>(rows: T[], keyOf: (row: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const key = keyOf(row);
    const group = groups.get(key);
    if (group) group.push(row);
    else groups.set(key, [row]);
  }
  return groups;
}

/** Bound parameters per statement stay well under SQLite's and PostgreSQL's limits. */
const IN_CHUNK = 5000;

async function selectInChunks<T>(ids: string[], query: (chunk: string[]) => Promise<T[]>): Promise<T[]> {
  if (ids.length <= IN_CHUNK) return query(ids);
  const parts: T[] = [];
  for (let start = 0; start < ids.length; start += IN_CHUNK) {
    parts.push(...(await query(ids.slice(start, start + IN_CHUNK))));
  }
  return parts;
}

/**
 * Key order within a run: SQLite reads these tables in primary-key order anyway (WITHOUT ROWID, so
 * the sort costs nothing); PostgreSQL would return heap order, which updates reshuffle.
 */
function byRunAndKey<Q extends { orderBy(column: "run_uuid" | "key"): Q }>(query: Q): Q {
  return query.orderBy("run_uuid").orderBy("key");
}

/** Loads latest metrics, params, tags and dataset inputs for runs, in a few queries whatever their number. */
export async function loadRuns(db: Kysely<TrackingDatabase>, rows: RunsTable[]): Promise<Run[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((row) => row.run_uuid);
  const [metrics, params, tags, inputs] = await Promise.all([
    selectInChunks(ids, (chunk) =>
      db.selectFrom("latest_metrics").selectAll().where("run_uuid", "in", chunk).$call(byRunAndKey).execute(),
    ),
    selectInChunks(ids, (chunk) =>
      db
        .selectFrom("params")
        .select(["run_uuid", "key", "value"])
        .where("run_uuid", "in", chunk)
        .$call(byRunAndKey)
        .execute(),
    ),
    selectInChunks(ids, (chunk) =>
      db
        .selectFrom("tags")
        .select(["run_uuid", "key", "value"])
        .where("run_uuid", "in", chunk)
        .$call(byRunAndKey)
        .execute(),
    ),
    loadDatasetInputs(db, ids),
  ]);
  const metricsByRun = groupBy(metrics, (row) => row.run_uuid);
  const paramsByRun = groupBy(params, (row) => row.run_uuid);
  const tagsByRun = groupBy(tags, (row) => row.run_uuid);
  return rows.map((row) => ({
    info: runInfoFromRow(row),
    data: {
      metrics: (metricsByRun.get(row.run_uuid) ?? []).map(metricFromRow),
      params: (paramsByRun.get(row.run_uuid) ?? []).map(({ key, value }) => ({ key, value })),
      tags: (tagsByRun.get(row.run_uuid) ?? []).map(({ key, value }) => ({ key, value })),
    },
    inputs: { dataset_inputs: inputs.get(row.run_uuid) ?? [] },
  }));
}

async function loadDatasetInputs(db: Kysely<TrackingDatabase>, runIds: string[]): Promise<Map<string, DatasetInput[]>> {
  const rows = await selectInChunks(runIds, (chunk) =>
    db
      .selectFrom("inputs")
      .innerJoin("datasets", "datasets.dataset_uuid", "inputs.source_id")
      .select([
        "inputs.input_uuid",
        "inputs.destination_id",
        "datasets.name",
        "datasets.digest",
        "datasets.dataset_source_type",
        "datasets.dataset_source",
        "datasets.dataset_schema",
        "datasets.dataset_profile",
      ])
      .where("inputs.destination_type", "=", "RUN")
      .where("inputs.source_type", "=", "DATASET")
      .where("inputs.destination_id", "in", chunk)
      .execute(),
  );
  const result = new Map<string, DatasetInput[]>();
  if (rows.length === 0) return result;
  const tagRows = await selectInChunks(
    rows.map((row) => row.input_uuid),
    (chunk) =>
      db.selectFrom("input_tags").select(["input_uuid", "name", "value"]).where("input_uuid", "in", chunk).execute(),
  );
  const tagsByInput = groupBy(tagRows, (row) => row.input_uuid);
  for (const row of rows) {
    const input: DatasetInput = {
      tags: (tagsByInput.get(row.input_uuid) ?? []).map(({ name, value }) => ({ key: name, value })),
      dataset: {
        name: row.name,
        digest: row.digest,
        source_type: row.dataset_source_type,
        source: row.dataset_source,
        ...(row.dataset_schema !== null ? { schema: row.dataset_schema } : {}),
        ...(row.dataset_profile !== null ? { profile: row.dataset_profile } : {}),
      },
    };
    const list = result.get(row.destination_id);
    if (list) list.push(input);
    else result.set(row.destination_id, [input]);
  }
  return result;
}
