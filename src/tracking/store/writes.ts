/**
 * @module tracking/store/writes
 * Metric writes: many points in few statements. Exact duplicates are dropped by the primary key, so
 * a client's retry of an acknowledged request changes nothing; `latest_metrics` keeps the point with
 * the greatest (step, timestamp, value) per key, computed per batch before one upsert per key.
 */
import type { Kysely } from "kysely";
import type { Metric } from "../entities.js";
import { encodeMetricValue } from "./rows.js";
import type { MetricsTable, TrackingDatabase } from "./schema.js";

/** Rows per INSERT: 6 bound values each keeps a statement well under both dialects' limits. */
const ROWS_PER_STATEMENT = 500;

function isLater(a: MetricsTable, b: MetricsTable): boolean {
  if (a.step !== b.step) return a.step > b.step;
  if (a.timestamp !== b.timestamp) return a.timestamp > b.timestamp;
  if (a.is_nan !== b.is_nan) return a.is_nan === 0;
  return a.value > b.value;
}

export async function insertMetrics(db: Kysely<TrackingDatabase>, runId: string, metrics: Metric[]): Promise<void> {
  const rows: MetricsTable[] = metrics.map((metric) => ({
    run_uuid: runId,
    key: metric.key,
    step: metric.step,
    timestamp: metric.timestamp,
    ...encodeMetricValue(metric.value),
  }));
  for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
    await db
      .insertInto("metrics")
      .values(rows.slice(start, start + ROWS_PER_STATEMENT))
      .onConflict((conflict) => conflict.doNothing())
      .execute();
  }
  const latest = new Map<string, MetricsTable>();
  for (const row of rows) {
    const current = latest.get(row.key);
    if (!current || isLater(row, current)) latest.set(row.key, row);
  }
  const candidates = [...latest.values()];
  for (let start = 0; start < candidates.length; start += ROWS_PER_STATEMENT) {
    await db
      .insertInto("latest_metrics")
      .values(candidates.slice(start, start + ROWS_PER_STATEMENT))
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
      )
      .execute();
  }
}
