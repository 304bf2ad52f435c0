/**
 * @module tracking/store/registry-migration
 * Migration `0002_registry`: the model registry's tables, in the same database as the tracking
 * tables and written once for SQLite and PostgreSQL. Children reference their model by name with
 * ON UPDATE / ON DELETE CASCADE, so a rename or a hard delete reaches versions, tags and aliases in
 * one statement; `registry_events` has no foreign key, so the history outlives deleted versions and
 * models.
 */
import type { Kysely, Migration } from "kysely";
import { type DialectName, stringColumn, wholeNumberColumn } from "./database.js";

// biome-ignore lint/suspicious/noExplicitAny: Kysely's own migration signature is Kysely<any>
type AnyDb = Kysely<any>;

export function registryMigration(dialect: DialectName): Migration {
  return {
    async up(db: AnyDb) {
      const bigint = "bigint" as const;
      const str = (type: Parameters<typeof stringColumn>[1]) => stringColumn(dialect, type);
      const wholeNumber = wholeNumberColumn(dialect);
      await db.schema
        .createTable("registered_models")
        .addColumn("name", str("varchar(256)"), (col) => col.primaryKey())
        .addColumn("creation_time", bigint, (col) => col.notNull())
        .addColumn("last_updated_time", bigint, (col) => col.notNull())
        .addColumn("description", str("text"))
        .addColumn("user_id", str("varchar(256)"))
        .execute();
      await db.schema
        .createTable("model_versions")
        .addColumn("name", str("varchar(256)"), (col) =>
          col.notNull().references("registered_models.name").onUpdate("cascade").onDelete("cascade"),
        )
        .addColumn("version", wholeNumber, (col) => col.notNull())
        .addColumn("creation_time", bigint, (col) => col.notNull())
        .addColumn("last_updated_time", bigint, (col) => col.notNull())
        .addColumn("description", str("text"))
        .addColumn("user_id", str("varchar(256)"))
        .addColumn("current_stage", str("varchar(20)"), (col) => col.notNull())
        .addColumn("source", str("text"))
        .addColumn("storage_location", str("text"))
        .addColumn("run_id", str("varchar(256)"))
        .addColumn("run_link", str("text"))
        .addColumn("status", str("varchar(20)"), (col) => col.notNull())
        .addColumn("status_message", str("text"))
        // The key that makes two concurrent creates of one version number collide instead of both landing.
        .addPrimaryKeyConstraint("model_versions_pk", ["name", "version"])
        .execute();
      await db.schema.createIndex("model_versions_run_id").on("model_versions").column("run_id").execute();
      await db.schema
        .createIndex("model_versions_last_updated")
        .on("model_versions")
        .columns(["last_updated_time", "name", "version"])
        .execute();
      await db.schema
        .createTable("registered_model_tags")
        .addColumn("name", str("varchar(256)"), (col) =>
          col.notNull().references("registered_models.name").onUpdate("cascade").onDelete("cascade"),
        )
        .addColumn("key", str("varchar(250)"), (col) => col.notNull())
        .addColumn("value", str("text"), (col) => col.notNull())
        .addPrimaryKeyConstraint("registered_model_tags_pk", ["name", "key"])
        .execute();
      await db.schema
        .createTable("model_version_tags")
        .addColumn("name", str("varchar(256)"), (col) => col.notNull())
        .addColumn("version", wholeNumber, (col) => col.notNull())
        .addColumn("key", str("varchar(250)"), (col) => col.notNull())
        .addColumn("value", str("text"), (col) => col.notNull())
        .addPrimaryKeyConstraint("model_version_tags_pk", ["name", "version", "key"])
        .addForeignKeyConstraint(
          "model_version_tags_version_fk",
          ["name", "version"],
          "model_versions",
          ["name", "version"],
          (fk) => fk.onUpdate("cascade").onDelete("cascade"),
        )
        .execute();
      await db.schema
        .createTable("registered_model_aliases")
        .addColumn("name", str("varchar(256)"), (col) =>
          col.notNull().references("registered_models.name").onUpdate("cascade").onDelete("cascade"),
        )
        .addColumn("alias", str("varchar(256)"), (col) => col.notNull())
        .addColumn("version", wholeNumber, (col) => col.notNull())
        .addPrimaryKeyConstraint("registered_model_aliases_pk", ["name", "alias"])
        .execute();
      await db.schema
        .createTable("registry_events")
        .addColumn("event_id", dialect === "sqlite" ? "integer" : "bigserial", (col) =>
          dialect === "sqlite" ? col.primaryKey().autoIncrement() : col.primaryKey(),
        )
        .addColumn("name", str("varchar(256)"), (col) => col.notNull())
        .addColumn("version", wholeNumber, (col) => col.notNull())
        .addColumn("kind", str("varchar(16)"), (col) => col.notNull())
        .addColumn("alias", str("varchar(256)"))
        .addColumn("from_value", str("varchar(256)"))
        .addColumn("to_value", str("varchar(256)"))
        .addColumn("user_id", str("varchar(256)"), (col) => col.notNull())
        .addColumn("timestamp", bigint, (col) => col.notNull())
        .execute();
      await db.schema.createIndex("registry_events_name").on("registry_events").columns(["name", "event_id"]).execute();
    },
  };
}
