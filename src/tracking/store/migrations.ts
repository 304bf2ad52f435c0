/**
 * @module tracking/store/migrations
 * Schema migrations, written once for SQLite and PostgreSQL. Kysely's Migrator applies them in
 * name order under its own lock, so several processes starting together migrate once.
 */
import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from "kysely";
import { authMigration } from "../../auth/migration.js";
import { LatheError } from "../../core/errors.js";
import { type DialectName, stringColumn, wholeNumberColumn } from "./database.js";
import { registryMigration } from "./registry-migration.js";

// Migrations run before the typed schema exists, so they see an untyped database.
// biome-ignore lint/suspicious/noExplicitAny: Kysely's own migration signature is Kysely<any>
type AnyDb = Kysely<any>;

const initialTracking = (dialect: DialectName): Migration => ({
  async up(db: AnyDb) {
    // On SQLite, tables keyed by (run, key) are stored in primary-key order (WITHOUT ROWID), so a
    // lookup is one B-tree search that also yields the value; PostgreSQL has no such option to set.
    const clustered = <T extends { modifyEnd(node: ReturnType<typeof sql.raw>): T }>(builder: T): T =>
      dialect === "sqlite" ? builder.modifyEnd(sql.raw("without rowid")) : builder;
    const bigint = "bigint" as const;
    const str = (type: Parameters<typeof stringColumn>[1]) => stringColumn(dialect, type);
    const wholeNumber = wholeNumberColumn(dialect);
    await db.schema
      .createTable("experiments")
      .addColumn("experiment_id", wholeNumber, (col) => col.primaryKey())
      .addColumn("name", str("varchar(500)"), (col) => col.notNull().unique())
      .addColumn("artifact_location", str("text"), (col) => col.notNull())
      .addColumn("lifecycle_stage", str("varchar(32)"), (col) => col.notNull())
      .addColumn("creation_time", bigint, (col) => col.notNull())
      .addColumn("last_update_time", bigint, (col) => col.notNull())
      .execute();
    await db.schema
      .createTable("experiment_tags")
      .addColumn("experiment_id", wholeNumber, (col) =>
        col.notNull().references("experiments.experiment_id").onDelete("cascade"),
      )
      .addColumn("key", str("varchar(250)"), (col) => col.notNull())
      .addColumn("value", str("text"), (col) => col.notNull())
      .addPrimaryKeyConstraint("experiment_tags_pk", ["experiment_id", "key"])
      .$call(clustered)
      .execute();
    await db.schema
      .createTable("runs")
      .addColumn("run_uuid", str("varchar(64)"), (col) => col.primaryKey())
      .addColumn("name", str("varchar(250)"), (col) => col.notNull())
      .addColumn("experiment_id", wholeNumber, (col) => col.notNull().references("experiments.experiment_id"))
      .addColumn("user_id", str("varchar(256)"), (col) => col.notNull())
      .addColumn("status", str("varchar(20)"), (col) => col.notNull())
      .addColumn("start_time", bigint, (col) => col.notNull())
      .addColumn("end_time", bigint)
      .addColumn("deleted_time", bigint)
      .addColumn("lifecycle_stage", str("varchar(20)"), (col) => col.notNull())
      .addColumn("artifact_uri", str("text"), (col) => col.notNull())
      .$call(clustered)
      .execute();
    await db.schema.createIndex("runs_experiment_start").on("runs").columns(["experiment_id", "start_time"]).execute();
    for (const table of ["params", "tags"]) {
      await db.schema
        .createTable(table)
        .addColumn("run_uuid", str("varchar(64)"), (col) =>
          col.notNull().references("runs.run_uuid").onDelete("cascade"),
        )
        .addColumn("key", str("varchar(250)"), (col) => col.notNull())
        .addColumn("value", str("text"), (col) => col.notNull())
        .addPrimaryKeyConstraint(`${table}_pk`, ["run_uuid", "key"])
        .$call(clustered)
        .execute();
      await db.schema.createIndex(`${table}_key_value`).on(table).columns(["key", "value"]).execute();
    }
    // Metric history is stored in chunks: each write appends one row per (run, key) holding its
    // points packed as float64 triples (see metric-chunks.ts). Appending a row per key instead of a
    // B-tree entry per point is what lets log-batch take hundreds of thousands of points a second.
    await db.schema
      .createTable("metric_chunks")
      .addColumn("chunk_id", dialect === "sqlite" ? "integer" : "bigserial", (col) =>
        dialect === "sqlite" ? col.primaryKey().autoIncrement() : col.primaryKey(),
      )
      .addColumn("run_uuid", str("varchar(64)"), (col) => col.notNull().references("runs.run_uuid").onDelete("cascade"))
      .addColumn("key", str("varchar(250)"), (col) => col.notNull())
      .addColumn("point_count", "integer", (col) => col.notNull())
      .addColumn("points", dialect === "sqlite" ? "blob" : "bytea", (col) => col.notNull())
      .execute();
    await db.schema
      .createIndex("metric_chunks_run_key")
      .on("metric_chunks")
      .columns(["run_uuid", "key", "chunk_id"])
      .execute();
    await db.schema
      .createTable("latest_metrics")
      .addColumn("run_uuid", str("varchar(64)"), (col) => col.notNull().references("runs.run_uuid").onDelete("cascade"))
      .addColumn("key", str("varchar(250)"), (col) => col.notNull())
      .addColumn("step", bigint, (col) => col.notNull())
      .addColumn("timestamp", bigint, (col) => col.notNull())
      .addColumn("value", "double precision", (col) => col.notNull())
      .addColumn("is_nan", "integer", (col) => col.notNull())
      // The run's start_time, copied here (it never changes) so ordered searches need no sort.
      .addColumn("start_time", bigint, (col) => col.notNull())
      .addPrimaryKeyConstraint("latest_metrics_pk", ["run_uuid", "key"])
      .$call(clustered)
      .execute();
    // Filters and order keys on a metric read these indexes alone. Their trailing (start_time,
    // run_uuid) columns match the tie-break order of runs/search in both directions, so a search
    // ordered by one metric walks an index and stops at the page size instead of sorting every run.
    await db.schema
      .createIndex("latest_metrics_order_desc")
      .on("latest_metrics")
      .columns(["key", "is_nan", "value", "start_time", "run_uuid desc"])
      .execute();
    await db.schema
      .createIndex("latest_metrics_order_asc")
      .on("latest_metrics")
      .columns(["key", "is_nan", "value", "start_time desc", "run_uuid"])
      .execute();
    await db.schema
      .createTable("datasets")
      .addColumn("dataset_uuid", str("varchar(36)"), (col) => col.primaryKey())
      .addColumn("experiment_id", wholeNumber, (col) =>
        col.notNull().references("experiments.experiment_id").onDelete("cascade"),
      )
      .addColumn("name", str("varchar(500)"), (col) => col.notNull())
      .addColumn("digest", str("varchar(36)"), (col) => col.notNull())
      .addColumn("dataset_source_type", str("varchar(36)"), (col) => col.notNull())
      .addColumn("dataset_source", str("text"), (col) => col.notNull())
      .addColumn("dataset_schema", str("text"))
      .addColumn("dataset_profile", str("text"))
      .addUniqueConstraint("datasets_experiment_name_digest", ["experiment_id", "name", "digest"])
      .execute();
    await db.schema
      .createTable("inputs")
      .addColumn("input_uuid", str("varchar(36)"), (col) => col.primaryKey())
      .addColumn("source_type", str("varchar(36)"), (col) => col.notNull())
      .addColumn("source_id", str("varchar(36)"), (col) => col.notNull())
      .addColumn("destination_type", str("varchar(36)"), (col) => col.notNull())
      .addColumn("destination_id", str("varchar(64)"), (col) => col.notNull())
      .addUniqueConstraint("inputs_source_destination", [
        "source_type",
        "source_id",
        "destination_type",
        "destination_id",
      ])
      .execute();
    await db.schema
      .createIndex("inputs_destination")
      .on("inputs")
      .columns(["destination_type", "destination_id"])
      .execute();
    await db.schema
      .createTable("input_tags")
      .addColumn("input_uuid", str("varchar(36)"), (col) =>
        col.notNull().references("inputs.input_uuid").onDelete("cascade"),
      )
      .addColumn("name", str("varchar(255)"), (col) => col.notNull())
      .addColumn("value", str("varchar(500)"), (col) => col.notNull())
      .addPrimaryKeyConstraint("input_tags_pk", ["input_uuid", "name"])
      .$call(clustered)
      .execute();
  },
});

/** Every migration for a dialect, by name; names sort in the order they apply. */
export function trackingMigrations(dialect: DialectName): Record<string, Migration> {
  return {
    "0001_initial_tracking": initialTracking(dialect),
    "0002_registry": registryMigration(dialect),
    "0003_auth": authMigration(dialect),
  };
}

class StaticMigrationProvider implements MigrationProvider {
  constructor(private readonly migrations: Record<string, Migration>) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    return this.migrations;
  }
}

/** Brings the database to the newest schema; a failure names the migration that failed. */
export async function migrateToLatest(db: AnyDb, migrations: Record<string, Migration>): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: new StaticMigrationProvider(migrations),
    migrationTableName: "lathe_migrations",
    migrationLockTableName: "lathe_migrations_lock",
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((result) => result.status === "Error")?.migrationName ?? "unknown";
    throw new LatheError(
      "INVALID_STATE",
      `Database migration ${failed} failed: ${(error as Error).message ?? String(error)}. The database was left at its previous schema.`,
      { cause: error },
    );
  }
}
