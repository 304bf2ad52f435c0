/**
 * @module tracking/store/sql-store
 * The tracking store on SQL, written once against Kysely for SQLite and PostgreSQL. Semantics follow
 * MLflow's SQL store (reference/mlflow.md §2.1–2.3): soft deletes, immutable params, last-write-wins
 * tags, append-only metrics with exact duplicates ignored, latest metric by (step, timestamp, value).
 */
import { randomUUID } from "node:crypto";
import { type Kysely, sql } from "kysely";
import { alreadyExists, invalidParameter, notFound } from "../../core/errors.js";
import { newRunId, randomRunName } from "../../core/ids.js";
import type {
  BulkIntervalInput,
  CreateExperimentInput,
  CreateRunInput,
  DatasetInput,
  Experiment,
  LogBatchInput,
  Metric,
  MetricHistoryInput,
  Page,
  Param,
  Run,
  RunInfo,
  RunMetric,
  SearchExperimentsInput,
  SearchRunsInput,
  Tag,
  UpdateRunInput,
  ViewType,
} from "../entities.js";
import { decodePageToken, nextPageToken, resolveMaxResults } from "../paging.js";
import { parseFilter, parseOrderBy } from "../search/index.js";
import type { TrackingStore } from "../store.js";
import { validateBatchLimits, validateExperimentName } from "../validation.js";
import type { DialectName, OpenedDatabase } from "./database.js";
import { decodeSeries, type Point } from "./metric-chunks.js";
import { migrateToLatest, trackingMigrations } from "./migrations.js";
import { experimentFromRow, loadRuns, runInfoFromRow } from "./rows.js";
import type { RunsTable, TrackingDatabase } from "./schema.js";
import { type RememberedItems, SearchCache } from "./search-cache.js";
import { experimentComparison, experimentOrderColumn, planRunSearch } from "./search-sql.js";
import { isUniqueViolation, writeTransaction } from "./transaction.js";
import { RunWriteBatcher } from "./write-batcher.js";
import { upsertTags } from "./writes.js";

export interface SqlTrackingStoreOptions {
  /** Root under which experiments get their artifact location: `<root>/<experiment_id>`. */
  defaultArtifactRoot: string;
  /** Answer repeated searches from memory until the next write (default true on SQLite). */
  cacheSearches?: boolean;
}

type Db = Kysely<TrackingDatabase>;

const CREATE_EXPERIMENT_ATTEMPTS = 8;

function lifecycleStages(viewType: ViewType | undefined): string[] {
  if (viewType === "DELETED_ONLY") return ["deleted"];
  if (viewType === "ALL") return ["active", "deleted"];
  return ["active"];
}

function joinUri(root: string, ...parts: string[]): string {
  return [root.replace(/\/+$/, ""), ...parts].join("/");
}

function parseExperimentId(experimentId: string): number {
  if (!/^\d{1,15}$/.test(experimentId)) {
    throw invalidParameter(
      `Invalid experiment ID '${String(experimentId).slice(0, 80)}': experiment IDs in this store are whole numbers such as "0" or "12".`,
    );
  }
  return Number(experimentId);
}

export class SqlTrackingStore implements TrackingStore {
  private readonly db: Db;
  private readonly dialect: DialectName;
  private readonly batcher: RunWriteBatcher;
  /** Recent search pages, valid until the next write (SQLite only: its version counters make that exact). */
  readonly searchCache: SearchCache<Run, Page<Run>> | undefined;

  private constructor(
    private readonly opened: OpenedDatabase<TrackingDatabase>,
    private readonly options: SqlTrackingStoreOptions,
  ) {
    this.db = opened.db;
    this.dialect = opened.dialect;
    this.batcher = new RunWriteBatcher(this.db, this.dialect);
    this.searchCache =
      this.dialect === "sqlite" && options.cacheSearches !== false
        ? new SearchCache(this.db as unknown as Kysely<unknown>)
        : undefined;
  }

  /** Opens the store: migrates the schema and makes sure the Default experiment ("0") exists. */
  static async open(
    opened: OpenedDatabase<TrackingDatabase>,
    options: SqlTrackingStoreOptions,
  ): Promise<SqlTrackingStore> {
    await migrateToLatest(opened.db, trackingMigrations(opened.dialect));
    const store = new SqlTrackingStore(opened, options);
    await store.ensureDefaultExperiment();
    return store;
  }

  private async ensureDefaultExperiment(): Promise<void> {
    const now = Date.now();
    await writeTransaction(this.db, this.dialect, (trx) =>
      trx
        .insertInto("experiments")
        .values({
          experiment_id: 0,
          name: "Default",
          artifact_location: joinUri(this.options.defaultArtifactRoot, "0"),
          lifecycle_stage: "active",
          creation_time: now,
          last_update_time: now,
        })
        .onConflict((conflict) => conflict.doNothing())
        .execute(),
    );
  }

  close(): Promise<void> {
    return this.opened.close();
  }

  // ── experiments ──────────────────────────────────────────────────────────────────────────────

  async createExperiment(input: CreateExperimentInput): Promise<string> {
    const name = validateExperimentName(input.name);
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.insertExperiment(name, input);
      } catch (error) {
        // On PostgreSQL two creators can read the same highest id (or check the same new name) at
        // once; the key refuses the second, which tries again and then sees the first one's row.
        if (!isUniqueViolation(error) || attempt >= CREATE_EXPERIMENT_ATTEMPTS) throw error;
      }
    }
  }

  private insertExperiment(name: string, input: CreateExperimentInput): Promise<string> {
    const now = Date.now();
    return writeTransaction(this.db, this.dialect, async (trx) => {
      const existing = await trx
        .selectFrom("experiments")
        .select("experiment_id")
        .where("name", "=", name)
        .executeTakeFirst();
      if (existing)
        throw alreadyExists(
          `Experiment(name=${name}) already exists. Choose another name, or restore or rename the existing one.`,
        );
      const last = await trx
        .selectFrom("experiments")
        .select(sql<number>`max(experiment_id)`.as("max"))
        .executeTakeFirst();
      const id = Number(last?.max ?? 0) + 1;
      await trx
        .insertInto("experiments")
        .values({
          experiment_id: id,
          name,
          artifact_location: input.artifactLocation || joinUri(this.options.defaultArtifactRoot, String(id)),
          lifecycle_stage: "active",
          creation_time: now,
          last_update_time: now,
        })
        .execute();
      const tags = dedupeTags(input.tags ?? []);
      if (tags.length > 0) {
        await trx
          .insertInto("experiment_tags")
          .values(tags.map((tag) => ({ experiment_id: id, key: tag.key, value: tag.value })))
          .execute();
      }
      return String(id);
    });
  }

  private async experimentTags(db: Db, ids: number[]): Promise<Map<number, Tag[]>> {
    const result = new Map<number, Tag[]>();
    if (ids.length === 0) return result;
    const rows = await db
      .selectFrom("experiment_tags")
      .selectAll()
      .where("experiment_id", "in", ids)
      .orderBy("experiment_id")
      .orderBy("key")
      .execute();
    for (const row of rows) {
      const id = Number(row.experiment_id);
      const list = result.get(id) ?? [];
      list.push({ key: row.key, value: row.value });
      result.set(id, list);
    }
    return result;
  }

  async getExperiment(experimentId: string): Promise<Experiment> {
    const id = parseExperimentId(experimentId);
    const row = await this.db.selectFrom("experiments").selectAll().where("experiment_id", "=", id).executeTakeFirst();
    if (!row) throw notFound(`No Experiment with id=${experimentId} exists`);
    const tags = await this.experimentTags(this.db, [id]);
    return experimentFromRow(row, tags.get(id) ?? []);
  }

  async getExperimentByName(name: string): Promise<Experiment> {
    const row = await this.db.selectFrom("experiments").selectAll().where("name", "=", name).executeTakeFirst();
    if (!row) throw notFound(`Could not find experiment with name '${name}'`);
    const id = Number(row.experiment_id);
    const tags = await this.experimentTags(this.db, [id]);
    return experimentFromRow(row, tags.get(id) ?? []);
  }

  async searchExperiments(input: SearchExperimentsInput): Promise<Page<Experiment>> {
    const maxResults = resolveMaxResults(input.maxResults, 1000, 50000, "experiments search");
    const offset = decodePageToken(input.pageToken);
    const filter = parseFilter(input.filter, "experiments");
    const orderBy = parseOrderBy(input.orderBy, "experiments");
    let query = this.db
      .selectFrom("experiments")
      .selectAll()
      .where("lifecycle_stage", "in", lifecycleStages(input.viewType));
    for (const comparison of filter) query = query.where(experimentComparison(this.dialect, comparison));
    let hasId = false;
    let hasCreation = false;
    for (const clause of orderBy) {
      const column = experimentOrderColumn(clause.key);
      if (column === "experiment_id") hasId = true;
      if (column === "creation_time") hasCreation = true;
      query = query.orderBy(sql.ref(`experiments.${column}`), clause.ascending ? "asc" : "desc");
    }
    if (!hasCreation && orderBy.length === 0) query = query.orderBy("experiments.creation_time", "desc");
    if (!hasId) query = query.orderBy("experiments.experiment_id", "asc");
    const rows = await query.limit(maxResults).offset(offset).execute();
    const tags = await this.experimentTags(
      this.db,
      rows.map((row) => Number(row.experiment_id)),
    );
    return {
      items: rows.map((row) => experimentFromRow(row, tags.get(Number(row.experiment_id)) ?? [])),
      nextPageToken: nextPageToken(offset, rows.length, maxResults),
    };
  }

  async renameExperiment(experimentId: string, newName: string): Promise<void> {
    const id = parseExperimentId(experimentId);
    const name = validateExperimentName(newName);
    await writeTransaction(this.db, this.dialect, async (trx) => {
      const row = await this.requireExperiment(trx, id, experimentId);
      if (row.lifecycle_stage !== "active") {
        throw invalidParameter(`Cannot rename a non-active experiment (id=${experimentId}). Restore it first.`);
      }
      const clash = await trx
        .selectFrom("experiments")
        .select("experiment_id")
        .where("name", "=", name)
        .executeTakeFirst();
      if (clash && Number(clash.experiment_id) !== id) {
        throw alreadyExists(`Experiment(name=${name}) already exists. Choose another name.`);
      }
      await trx
        .updateTable("experiments")
        .set({ name, last_update_time: Date.now() })
        .where("experiment_id", "=", id)
        .execute();
    });
  }

  private async requireExperiment(db: Db, id: number, experimentId: string) {
    const row = await db.selectFrom("experiments").selectAll().where("experiment_id", "=", id).executeTakeFirst();
    if (!row) throw notFound(`No Experiment with id=${experimentId} exists`);
    return row;
  }

  async deleteExperiment(experimentId: string): Promise<void> {
    const id = parseExperimentId(experimentId);
    if (id === 0)
      throw invalidParameter(
        "The Default experiment (id=0) cannot be deleted. It holds runs started without an experiment.",
      );
    await this.setExperimentLifecycle(id, experimentId, "deleted");
  }

  async restoreExperiment(experimentId: string): Promise<void> {
    await this.setExperimentLifecycle(parseExperimentId(experimentId), experimentId, "active");
  }

  private async setExperimentLifecycle(id: number, experimentId: string, stage: "active" | "deleted"): Promise<void> {
    const now = Date.now();
    await writeTransaction(this.db, this.dialect, async (trx) => {
      const row = await this.requireExperiment(trx, id, experimentId);
      if (stage === "active" && row.lifecycle_stage === "active") {
        throw invalidParameter(`Cannot restore an active experiment (id=${experimentId}): it is not deleted.`);
      }
      if (stage === "deleted" && row.lifecycle_stage === "deleted") {
        throw invalidParameter(
          `Experiment id=${experimentId} is already deleted. Restore it with experiments/restore.`,
        );
      }
      await trx
        .updateTable("experiments")
        .set({ lifecycle_stage: stage, last_update_time: now })
        .where("experiment_id", "=", id)
        .execute();
      // Deleting an experiment deletes its runs; restoring it brings them back, as MLflow does.
      await trx
        .updateTable("runs")
        .set({ lifecycle_stage: stage, deleted_time: stage === "deleted" ? now : null })
        .where("experiment_id", "=", id)
        .where("lifecycle_stage", "=", stage === "deleted" ? "active" : "deleted")
        .execute();
    });
  }

  async setExperimentTag(experimentId: string, tag: Tag): Promise<void> {
    const id = parseExperimentId(experimentId);
    await writeTransaction(this.db, this.dialect, async (trx) => {
      const row = await this.requireExperiment(trx, id, experimentId);
      if (row.lifecycle_stage !== "active") {
        throw invalidParameter(
          `The experiment ${experimentId} must be in the 'active' state. Current state is ${row.lifecycle_stage}.`,
        );
      }
      await trx
        .insertInto("experiment_tags")
        .values({ experiment_id: id, key: tag.key, value: tag.value })
        .onConflict((conflict) => conflict.columns(["experiment_id", "key"]).doUpdateSet({ value: tag.value }))
        .execute();
    });
  }

  async deleteExperimentTag(experimentId: string, key: string): Promise<void> {
    const id = parseExperimentId(experimentId);
    await writeTransaction(this.db, this.dialect, async (trx) => {
      const row = await this.requireExperiment(trx, id, experimentId);
      if (row.lifecycle_stage !== "active") {
        throw invalidParameter(
          `The experiment ${experimentId} must be in the 'active' state. Current state is ${row.lifecycle_stage}.`,
        );
      }
      const result = await trx
        .deleteFrom("experiment_tags")
        .where("experiment_id", "=", id)
        .where("key", "=", key)
        .executeTakeFirst();
      if (Number(result.numDeletedRows) === 0)
        throw notFound(`No tag with name: ${key} in experiment with id ${experimentId}`);
    });
  }

  // ── runs ─────────────────────────────────────────────────────────────────────────────────────

  async createRun(input: CreateRunInput): Promise<Run> {
    const experimentId = parseExperimentId(input.experimentId || "0");
    const tags = dedupeTags(input.tags ?? []);
    const nameTag = tags.find((tag) => tag.key === "mlflow.runName")?.value;
    if (input.runName && nameTag !== undefined && nameTag !== input.runName) {
      throw invalidParameter(
        `Both 'run_name' argument and 'mlflow.runName' tag are specified, but with different values (run_name='${input.runName}', mlflow.runName='${nameTag}'). Give one of them, or the same value.`,
      );
    }
    const runName = input.runName || nameTag || randomRunName();
    if (nameTag === undefined) tags.push({ key: "mlflow.runName", value: runName });
    const userId = input.userId ?? tags.find((tag) => tag.key === "mlflow.user")?.value ?? "";
    const runId = newRunId();
    return writeTransaction(this.db, this.dialect, async (trx) => {
      const experiment = await this.requireExperiment(trx, experimentId, input.experimentId);
      if (experiment.lifecycle_stage !== "active") {
        throw invalidParameter(
          `The experiment ${input.experimentId} must be in the 'active' state. Current state is ${experiment.lifecycle_stage}.`,
        );
      }
      const row: RunsTable = {
        run_uuid: runId,
        name: runName,
        experiment_id: experimentId,
        user_id: userId,
        status: "RUNNING",
        start_time: input.startTime ?? Date.now(),
        end_time: null,
        deleted_time: null,
        lifecycle_stage: "active",
        artifact_uri: joinUri(experiment.artifact_location, runId, "artifacts"),
      };
      await trx.insertInto("runs").values(row).execute();
      await trx
        .insertInto("tags")
        .values(tags.map((tag) => ({ run_uuid: runId, key: tag.key, value: tag.value })))
        .execute();
      return { info: runInfoFromRow(row), data: { metrics: [], params: [], tags }, inputs: { dataset_inputs: [] } };
    });
  }

  private async requireRun(db: Db, runId: string): Promise<RunsTable> {
    const row = await db.selectFrom("runs").selectAll().where("run_uuid", "=", runId).executeTakeFirst();
    if (!row) throw notFound(`Run with id=${runId} not found`);
    return row;
  }

  private async requireActiveRun(db: Db, runId: string): Promise<RunsTable> {
    const row = await this.requireRun(db, runId);
    if (row.lifecycle_stage !== "active") {
      throw invalidParameter(
        `The run ${runId} must be in the 'active' state. Current state is ${row.lifecycle_stage}. Restore it with runs/restore first.`,
      );
    }
    return row;
  }

  async getRun(runId: string): Promise<Run> {
    const [run] = await loadRuns(this.db, this.dialect, [runId]);
    if (!run) throw notFound(`Run with id=${runId} not found`);
    return run;
  }

  async updateRun(input: UpdateRunInput): Promise<RunInfo> {
    return writeTransaction(this.db, this.dialect, async (trx) => {
      const row = await this.requireActiveRun(trx, input.runId);
      const changes: Partial<RunsTable> = {};
      if (input.status !== undefined) changes.status = input.status;
      if (input.endTime !== undefined) changes.end_time = input.endTime;
      if (input.runName) changes.name = input.runName;
      if (Object.keys(changes).length > 0) {
        await trx.updateTable("runs").set(changes).where("run_uuid", "=", input.runId).execute();
      }
      if (input.runName) {
        await upsertTags(trx, input.runId, [{ key: "mlflow.runName", value: input.runName }]);
      }
      return runInfoFromRow({ ...row, ...changes });
    });
  }

  async deleteRun(runId: string): Promise<void> {
    await writeTransaction(this.db, this.dialect, async (trx) => {
      await this.requireRun(trx, runId);
      await trx
        .updateTable("runs")
        .set({ lifecycle_stage: "deleted", deleted_time: Date.now() })
        .where("run_uuid", "=", runId)
        .execute();
    });
  }

  async restoreRun(runId: string): Promise<void> {
    await writeTransaction(this.db, this.dialect, async (trx) => {
      await this.requireRun(trx, runId);
      await trx
        .updateTable("runs")
        .set({ lifecycle_stage: "active", deleted_time: null })
        .where("run_uuid", "=", runId)
        .execute();
    });
  }

  logMetric(runId: string, metric: Metric): Promise<void> {
    return this.logBatch({ runId, metrics: [metric], params: [], tags: [] });
  }

  logParam(runId: string, param: Param): Promise<void> {
    return this.logBatch({ runId, metrics: [], params: [param], tags: [] });
  }

  setTag(runId: string, tag: Tag): Promise<void> {
    return this.logBatch({ runId, metrics: [], params: [], tags: [tag] });
  }

  async deleteTag(runId: string, key: string): Promise<void> {
    await writeTransaction(this.db, this.dialect, async (trx) => {
      await this.requireActiveRun(trx, runId);
      const result = await trx
        .deleteFrom("tags")
        .where("run_uuid", "=", runId)
        .where("key", "=", key)
        .executeTakeFirst();
      if (Number(result.numDeletedRows) === 0) throw notFound(`No tag with name: ${key} in run with id ${runId}`);
    });
  }

  /** Params, tags and metrics of one request land together or not at all (group-committed). */
  async logBatch(input: LogBatchInput): Promise<void> {
    validateBatchLimits(input.metrics.length, input.params, input.tags.length);
    await this.batcher.submit({ ...input, tags: dedupeTags(input.tags) });
  }

  async logInputs(runId: string, datasets: DatasetInput[]): Promise<void> {
    await writeTransaction(this.db, this.dialect, async (trx) => {
      const run = await this.requireActiveRun(trx, runId);
      for (const input of datasets) {
        const { dataset } = input;
        const existing = await trx
          .selectFrom("datasets")
          .select("dataset_uuid")
          .where("experiment_id", "=", run.experiment_id)
          .where("name", "=", dataset.name)
          .where("digest", "=", dataset.digest)
          .executeTakeFirst();
        const datasetUuid = existing?.dataset_uuid ?? randomUUID().replaceAll("-", "");
        if (!existing) {
          await trx
            .insertInto("datasets")
            .values({
              dataset_uuid: datasetUuid,
              experiment_id: run.experiment_id,
              name: dataset.name,
              digest: dataset.digest,
              dataset_source_type: dataset.source_type,
              dataset_source: dataset.source,
              dataset_schema: dataset.schema ?? null,
              dataset_profile: dataset.profile ?? null,
            })
            .execute();
        }
        const link = await trx
          .selectFrom("inputs")
          .select("input_uuid")
          .where("source_type", "=", "DATASET")
          .where("source_id", "=", datasetUuid)
          .where("destination_type", "=", "RUN")
          .where("destination_id", "=", runId)
          .executeTakeFirst();
        if (link) continue;
        const inputUuid = randomUUID().replaceAll("-", "");
        await trx
          .insertInto("inputs")
          .values({
            input_uuid: inputUuid,
            source_type: "DATASET",
            source_id: datasetUuid,
            destination_type: "RUN",
            destination_id: runId,
          })
          .execute();
        const inputTags = dedupeTags(input.tags);
        if (inputTags.length > 0) {
          await trx
            .insertInto("input_tags")
            .values(inputTags.map((tag) => ({ input_uuid: inputUuid, name: tag.key, value: tag.value })))
            .execute();
        }
      }
    });
  }

  get reusesSearchResults(): boolean {
    return this.searchCache !== undefined;
  }

  async searchRuns(input: SearchRunsInput): Promise<Page<Run>> {
    if (!this.searchCache) return this.searchRunsUncached(input);
    const key = JSON.stringify([
      input.experimentIds,
      input.filter ?? "",
      input.viewType ?? "",
      input.maxResults ?? null,
      input.orderBy ?? [],
      input.pageToken ?? "",
    ]);
    return this.searchCache.get(key, (remembered) => this.searchRunsUncached(input, remembered));
  }

  /**
   * Runs the search's query; the page's runs come from `remembered` (runs read under the current
   * data version, which this adds to) where it has them, else from the database.
   */
  private async searchRunsUncached(input: SearchRunsInput, remembered?: RememberedItems<Run>): Promise<Page<Run>> {
    const maxResults = resolveMaxResults(input.maxResults, 1000, 50000, "runs search");
    const offset = decodePageToken(input.pageToken);
    const plan = planRunSearch(this.dialect, parseFilter(input.filter, "runs"), parseOrderBy(input.orderBy, "runs"));
    const experimentIds = input.experimentIds.map(parseExperimentId);
    if (experimentIds.length === 0) return { items: [] };
    const conditions = [
      sql`runs.experiment_id in (${sql.join(experimentIds)})`,
      sql`runs.lifecycle_stage in (${sql.join(lifecycleStages(input.viewType))})`,
      ...plan.conditions,
    ];
    // SQLite sorts run ids only and reads the page's rows with their data in one more statement, so
    // its sorter carries a key, not whole rows; PostgreSQL returns the rows here, saving a round trip.
    const columns = this.dialect === "postgres" ? sql`runs.*` : sql`runs.run_uuid`;
    const query = sql<RunsTable>`select ${columns} from runs ${sql.join(plan.joins, sql` `)} where ${sql.join(conditions, sql` and `)} order by ${sql.join(plan.terms)} limit ${maxResults} offset ${offset}`;
    const { rows } = await query.execute(this.db);
    const ids = rows.map((row) => row.run_uuid);
    const known = this.dialect === "postgres" ? new Map(rows.map((row) => [row.run_uuid, row])) : undefined;
    const runs = remembered
      ? await this.loadRemembered(ids, remembered)
      : await loadRuns(this.db, this.dialect, ids, known);
    return { items: runs, nextPageToken: nextPageToken(offset, runs.length, maxResults) };
  }

  private async loadRemembered(ids: string[], remembered: RememberedItems<Run>): Promise<Run[]> {
    const missing = ids.filter((id) => !remembered.has(id));
    const loaded = new Map((await loadRuns(this.db, this.dialect, missing)).map((run) => [run.info.run_id, run]));
    for (const [id, run] of loaded) remembered.set(id, run);
    return ids.flatMap((id) => loaded.get(id) ?? remembered.get(id) ?? []);
  }

  // ── metric history ───────────────────────────────────────────────────────────────────────────

  /** Every distinct point of one series, in MLflow's history order. */
  private async series(runId: string, key: string): Promise<Point[]> {
    const rows = await this.db
      .selectFrom("metric_chunks")
      .select("points")
      .where("run_uuid", "=", runId)
      .where("key", "=", key)
      .orderBy("chunk_id")
      .execute();
    return decodeSeries(rows.map((row) => row.points));
  }

  async getMetricHistory(input: MetricHistoryInput): Promise<Page<Metric>> {
    await this.requireRun(this.db, input.runId);
    const offset = decodePageToken(input.pageToken);
    const points = await this.series(input.runId, input.metricKey);
    const toMetric = (point: Point): Metric => ({ key: input.metricKey, ...point });
    if (input.maxResults === undefined) return { items: points.slice(offset).map(toMetric) };
    const maxResults = resolveMaxResults(input.maxResults, input.maxResults, Number.MAX_SAFE_INTEGER, "metric history");
    const page = points.slice(offset, offset + maxResults).map(toMetric);
    return { items: page, nextPageToken: nextPageToken(offset, page.length, maxResults) };
  }

  async getMetricHistoryBulk(runIds: string[], metricKey: string, maxResults: number): Promise<RunMetric[]> {
    const result: RunMetric[] = [];
    for (const runId of [...new Set(runIds)].sort()) {
      for (const point of await this.series(runId, metricKey)) {
        if (result.length >= maxResults) return result;
        result.push({ key: metricKey, ...point, run_id: runId });
      }
    }
    return result;
  }

  async getMetricHistoryBulkInterval(input: BulkIntervalInput): Promise<RunMetric[]> {
    const maxResults = input.maxResults ?? 2500;
    const { startStep, endStep } = input;
    const isInRange = (step: number) =>
      startStep === undefined || endStep === undefined || (step >= startStep && step <= endStep);
    // As MLflow does: sample the union of the runs' steps, so every run is read at the same steps,
    // then add back each run's own first and last step when they fall in the range.
    const allSeries = await Promise.all(input.runIds.map((runId) => this.series(runId, input.metricKey)));
    const union = new Set<number>();
    for (const series of allSeries) for (const point of series) if (isInRange(point.step)) union.add(point.step);
    const unionSteps = [...union].sort((a, b) => a - b);
    const chosen = new Set(sampleEvenly(unionSteps, maxResults));
    for (const series of allSeries) {
      if (series.length === 0) continue;
      const steps = series.map((point) => point.step);
      const first = steps.reduce((a, b) => Math.min(a, b));
      const last = steps.reduce((a, b) => Math.max(a, b));
      for (const step of [first, last]) if (isInRange(step)) chosen.add(step);
    }
    const result: RunMetric[] = [];
    input.runIds.forEach((runId, index) => {
      const picked = (allSeries[index] ?? []).filter((point) => chosen.has(point.step));
      picked.sort((a, b) => a.step - b.step || a.timestamp - b.timestamp || a.value - b.value);
      for (const point of picked) result.push({ key: input.metricKey, ...point, run_id: runId });
    });
    return result;
  }
}

/** Picks at most `count` values spread evenly over `sorted`, always keeping the first and last. */
export function sampleEvenly(sorted: number[], count: number): number[] {
  if (sorted.length <= count) return sorted;
  if (count === 1) return [sorted[0]!];
  const picked = new Set<number>();
  for (let i = 0; i < count; i++) picked.add(sorted[Math.round((i * (sorted.length - 1)) / (count - 1))]!);
  return [...picked];
}

/** Last write wins within a request, as in MLflow. */
function dedupeTags(tags: Tag[]): Tag[] {
  const byKey = new Map<string, Tag>();
  for (const tag of tags) byKey.set(tag.key, tag);
  return [...byKey.values()];
}
