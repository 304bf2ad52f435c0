/**
 * @module tracking/store/writes
 * Run data writes: many points in few statements. Metric points append as one packed chunk per
 * key (duplicates are dropped when read, so a client's retry changes nothing); `latest_metrics`
 * keeps the point with the greatest (step, timestamp, value) per key, reduced in memory first so
 * each key is upserted once. Inserts of a given row count compile once and reuse their SQL text
 * (and so the driver's prepared statement).
 */
import { CompiledQuery, type Kysely } from "kysely";
import type { Metric, Param, Tag } from "../entities.js";
import { encodePoints } from "./metric-chunks.js";
import { encodeMetricValue } from "./rows.js";
import type { LatestMetricsTable, MetricsTable, TrackingDatabase } from "./schema.js";

type Db = Kysely<TrackingDatabase>;

/** Rows per INSERT: at most 6 bound values a row keeps a statement under both dialects' limits. */
const ROWS_PER_STATEMENT = 100;
const LATEST_COLUMNS = ["run_uuid", "key", "step", "timestamp", "value", "is_nan", "start_time"] as const;

/**
 * Compiled SQL per dialect, by statement name and row count. Keyed by the dialect's adapter, which a
 * database and each of its transactions share (a transaction is a new Kysely object every time).
 */
const compiledText = new WeakMap<object, Map<string, string>>();

function cachedSql(db: Db, name: string, rows: number, build: (rows: number) => { compile(): CompiledQuery }): string {
  const adapter = db.getExecutor().adapter;
  let texts = compiledText.get(adapter);
  if (!texts) {
    texts = new Map();
    compiledText.set(adapter, texts);
  }
  const key = `${name}:${rows}`;
  let text = texts.get(key);
  if (text === undefined) {
    text = build(rows).compile().sql;
    texts.set(key, text);
  }
  return text;
}

function placeholderMetricRows(rows: number): MetricsTable[] {
  return Array.from({ length: rows }, () => ({ run_uuid: "", key: "", step: 0, timestamp: 0, value: 0, is_nan: 0 }));
}

async function executeInChunks<T>(
  db: Db,
  rows: readonly T[],
  sqlFor: (count: number) => string,
  flatten: (row: T) => readonly unknown[],
): Promise<void> {
  for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
    const chunk = rows.slice(start, start + ROWS_PER_STATEMENT);
    const parameters: unknown[] = [];
    for (const row of chunk) parameters.push(...flatten(row));
    await db.executeQuery(CompiledQuery.raw(sqlFor(chunk.length), parameters));
  }
}

function isLater(a: MetricsTable, b: MetricsTable): boolean {
  if (a.step !== b.step) return a.step > b.step;
  if (a.timestamp !== b.timestamp) return a.timestamp > b.timestamp;
  if (a.is_nan !== b.is_nan) return a.is_nan === 0;
  return a.value > b.value;
}

const latestValues = (row: LatestMetricsTable) => LATEST_COLUMNS.map((column) => row[column]);

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Rows in key order: two transactions writing overlapping keys of one run (two server processes on
 * PostgreSQL) then take the row locks in the same order and wait for each other instead of deadlocking.
 */
function inKeyOrder<T extends { key: string }>(rows: Iterable<T>): T[] {
  return [...rows].sort((a, b) => compare(a.key, b.key));
}

/** Rows of several runs in (run, key) order, for the same reason. */
function inRunAndKeyOrder<T extends { run_uuid: string; key: string }>(rows: Iterable<T>): T[] {
  return [...rows].sort((a, b) => compare(a.run_uuid, b.run_uuid) || compare(a.key, b.key));
}

/** The metric points of one run, with the run's start time (kept beside each latest value). */
export interface RunMetrics {
  readonly runId: string;
  readonly startTime: number;
  readonly metrics: readonly Metric[];
}

/** Appends the points of several runs, one chunk per run and key, and raises their latest values. */
export async function insertMetrics(db: Db, runs: readonly RunMetrics[]): Promise<void> {
  const chunks: { runId: string; key: string; count: number; points: Uint8Array }[] = [];
  const latest: LatestMetricsTable[] = [];
  for (const { runId, startTime, metrics } of runs) {
    const byKey = new Map<string, Metric[]>();
    for (const metric of metrics) {
      const list = byKey.get(metric.key);
      if (list) list.push(metric);
      else byKey.set(metric.key, [metric]);
    }
    for (const [key, points] of byKey) chunks.push({ runId, key, count: points.length, points: encodePoints(points) });
    const latestOfRun = new Map<string, LatestMetricsTable>();
    for (const metric of metrics) {
      const row: LatestMetricsTable = {
        run_uuid: runId,
        key: metric.key,
        step: metric.step,
        timestamp: metric.timestamp,
        ...encodeMetricValue(metric.value),
        start_time: startTime,
      };
      const current = latestOfRun.get(row.key);
      if (!current || isLater(row, current)) latestOfRun.set(row.key, row);
    }
    latest.push(...latestOfRun.values());
  }
  await executeInChunks(
    db,
    chunks,
    (count) =>
      cachedSql(db, "metric_chunks", count, (n) =>
        db
          .insertInto("metric_chunks")
          .values(
            Array.from({ length: n }, () => ({ run_uuid: "", key: "", point_count: 0, points: new Uint8Array() })),
          ),
      ),
    (chunk) => [chunk.runId, chunk.key, chunk.count, chunk.points],
  );
  await executeInChunks(
    db,
    inRunAndKeyOrder(latest),
    (count) =>
      cachedSql(db, "latest_metrics", count, (n) =>
        db
          .insertInto("latest_metrics")
          .values(placeholderMetricRows(n).map((row) => ({ ...row, start_time: 0 })))
          .onConflict((conflict) =>
            conflict
              .columns(["run_uuid", "key"])
              .doUpdateSet((eb) => ({
                step: eb.ref("excluded.step"),
                timestamp: eb.ref("excluded.timestamp"),
                value: eb.ref("excluded.value"),
                is_nan: eb.ref("excluded.is_nan"),
              }))
              .where((eb) =>
                eb.or([
                  eb("excluded.step", ">", eb.ref("latest_metrics.step")),
                  eb.and([
                    eb("excluded.step", "=", eb.ref("latest_metrics.step")),
                    eb("excluded.timestamp", ">", eb.ref("latest_metrics.timestamp")),
                  ]),
                  eb.and([
                    eb("excluded.step", "=", eb.ref("latest_metrics.step")),
                    eb("excluded.timestamp", "=", eb.ref("latest_metrics.timestamp")),
                    eb("excluded.value", ">", eb.ref("latest_metrics.value")),
                  ]),
                ]),
              ),
          ),
      ),
    latestValues,
  );
}

/** Inserts params not logged before (callers have already refused changed values). */
export async function insertNewParams(db: Db, runId: string, params: readonly Param[]): Promise<void> {
  await executeInChunks(
    db,
    inKeyOrder(params),
    (count) =>
      cachedSql(db, "params", count, (n) =>
        db
          .insertInto("params")
          .values(Array.from({ length: n }, () => ({ run_uuid: "", key: "", value: "" })))
          .onConflict((conflict) => conflict.doNothing()),
      ),
    (param) => [runId, param.key, param.value],
  );
}

/** Last write wins, as in MLflow. */
export async function upsertTags(db: Db, runId: string, tags: readonly Tag[]): Promise<void> {
  await executeInChunks(
    db,
    inKeyOrder(tags),
    (count) =>
      cachedSql(db, "tags", count, (n) =>
        db
          .insertInto("tags")
          .values(Array.from({ length: n }, () => ({ run_uuid: "", key: "", value: "" })))
          .onConflict((conflict) =>
            conflict.columns(["run_uuid", "key"]).doUpdateSet((eb) => ({ value: eb.ref("excluded.value") })),
          ),
      ),
    (tag) => [runId, tag.key, tag.value],
  );
}
