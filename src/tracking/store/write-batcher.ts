/**
 * @module tracking/store/write-batcher
 * Group commit for run data. Concurrent log-metric / log-parameter / set-tag / log-batch requests
 * queue here and are written together: one transaction per flush, one run check per run, one
 * multi-row insert per table. A request is acknowledged only after the transaction holding it
 * commits, so an acknowledged point survives a crash.
 *
 * Each request keeps its own outcome: every check that can refuse a request (run missing or
 * deleted, a param changing value) runs before anything is written, so a refused request writes
 * nothing and the others in the flush proceed. An unexpected database error fails the flush's
 * transaction; then each request is retried alone, so one bad request cannot sink the rest.
 */
import type { Kysely } from "kysely";
import { invalidParameter, notFound } from "../../core/errors.js";
import type { LogBatchInput, Metric, Param, Tag } from "../entities.js";
import type { DialectName } from "./database.js";
import { idIn } from "./rows.js";
import type { TrackingDatabase } from "./schema.js";
import { lockedForWrite, writeTransaction } from "./transaction.js";
import { insertMetrics, insertNewParams, type RunMetrics, upsertTags } from "./writes.js";

type Db = Kysely<TrackingDatabase>;

/** Runs read by one statement on SQLite (far below its limit on bound values). */
const RUNS_PER_STATEMENT = 500;

interface Pending {
  readonly input: LogBatchInput;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
  error?: unknown;
}

export class RunWriteBatcher {
  private queue: Pending[] = [];
  private flushing = false;

  constructor(
    private readonly db: Db,
    private readonly dialect: DialectName,
  ) {}

  /** Resolves once the write is committed; rejects with the reason it was refused. */
  submit(input: LogBatchInput): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ input, resolve, reject });
      if (!this.flushing) {
        this.flushing = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      await this.flush(batch);
    }
    this.flushing = false;
  }

  private async flush(batch: Pending[]): Promise<void> {
    try {
      await writeTransaction(this.db, this.dialect, (trx) => writeGroup(trx, this.dialect, batch));
    } catch (error) {
      if (batch.length === 1) {
        batch[0]!.reject(error);
        return;
      }
      for (const pending of batch) {
        pending.error = undefined;
        await this.flush([pending]);
      }
      return;
    }
    for (const pending of batch) {
      if (pending.error === undefined) pending.resolve();
      else pending.reject(pending.error);
    }
  }
}

/**
 * Writes every acceptable request of a flush, grouped by run; marks refused ones with their error.
 * The runs are read in one statement and their metrics written in one insert per table, whatever
 * their number: each statement is a round trip, and a flush often holds a point for each of many runs.
 */
async function writeGroup(db: Db, dialect: DialectName, batch: Pending[]): Promise<void> {
  const byRun = new Map<string, Pending[]>();
  for (const pending of batch) {
    const list = byRun.get(pending.input.runId);
    if (list) list.push(pending);
    else byRun.set(pending.input.runId, [pending]);
  }
  // Runs in id order, so two flushes in different processes lock shared runs in the same order.
  // Locked on PostgreSQL, so writers to one run from several server processes take turns: the
  // params check below then sees every value committed before it, as under SQLite's write lock.
  const runIds = [...byRun.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const runs = new Map<string, { lifecycle_stage: string; name: string; start_time: number }>();
  // PostgreSQL takes every id as one parameter; SQLite's statements hold a bounded number of them.
  const perStatement = dialect === "postgres" ? runIds.length : RUNS_PER_STATEMENT;
  for (let start = 0; start < runIds.length; start += perStatement) {
    const rows = await lockedForWrite(
      dialect,
      db
        .selectFrom("runs")
        .select(["run_uuid", "lifecycle_stage", "name", "start_time"])
        .where(idIn(dialect, "run_uuid", runIds.slice(start, start + perStatement)))
        .orderBy("run_uuid"),
    ).execute();
    for (const row of rows) runs.set(row.run_uuid, row);
  }
  const metricsOfRuns: RunMetrics[] = [];
  for (const runId of runIds) {
    const requests = byRun.get(runId)!;
    const run = runs.get(runId);
    if (run?.lifecycle_stage !== "active") {
      const error = run
        ? invalidParameter(
            `The run ${runId} must be in the 'active' state. Current state is ${run.lifecycle_stage}. Restore it with runs/restore first.`,
          )
        : notFound(`Run with id=${runId} not found`);
      for (const pending of requests) pending.error = error;
      continue;
    }
    const accepted = await acceptParams(db, runId, requests);
    const params: Param[] = [];
    const tags = new Map<string, Tag>();
    const metrics: Metric[] = [];
    for (const pending of accepted) {
      params.push(...pending.input.params);
      for (const tag of pending.input.tags) tags.set(tag.key, tag);
      for (const metric of pending.input.metrics) metrics.push(metric);
    }
    if (params.length > 0) await insertNewParams(db, runId, params);
    if (tags.size > 0) {
      await upsertTags(db, runId, [...tags.values()]);
      const renamed = tags.get("mlflow.runName");
      if (renamed && renamed.value !== run.name) {
        await db.updateTable("runs").set({ name: renamed.value }).where("run_uuid", "=", runId).execute();
      }
    }
    if (metrics.length > 0) metricsOfRuns.push({ runId, startTime: Number(run.start_time), metrics });
  }
  if (metricsOfRuns.length > 0) await insertMetrics(db, metricsOfRuns);
}

/**
 * Params are immutable: a request that would change a logged value (or one logged earlier in the
 * same flush) is refused whole; the same value again is accepted and written once.
 */
async function acceptParams(db: Db, runId: string, requests: Pending[]): Promise<Pending[]> {
  const keys = new Set<string>();
  for (const pending of requests) for (const param of pending.input.params) keys.add(param.key);
  if (keys.size === 0) return requests;
  const logged = new Map<string, string>();
  const keyList = [...keys];
  for (let start = 0; start < keyList.length; start += 500) {
    const rows = await db
      .selectFrom("params")
      .select(["key", "value"])
      .where("run_uuid", "=", runId)
      .where("key", "in", keyList.slice(start, start + 500))
      .execute();
    for (const row of rows) logged.set(row.key, row.value);
  }
  const accepted: Pending[] = [];
  for (const pending of requests) {
    const conflict = pending.input.params.find(
      (param) => logged.has(param.key) && logged.get(param.key) !== param.value,
    );
    if (conflict) {
      pending.error = invalidParameter(
        `Changing param values is not allowed. Param with key='${conflict.key}' was already logged with value='${logged.get(conflict.key)}' for run ID='${runId}'. Attempted logging new value '${conflict.value}'.`,
      );
      continue;
    }
    for (const param of pending.input.params) logged.set(param.key, param.value);
    accepted.push(pending);
  }
  return accepted;
}
