/**
 * @module auth/migration
 * Migration `0003_auth`: users, per-experiment and per-registered-model permissions, access tokens
 * and the audit log, in the tracking database and written once for SQLite and PostgreSQL.
 * Permissions and tokens go with their user (ON DELETE CASCADE); the audit log keeps usernames as
 * text so it outlives deleted users.
 */
import type { Kysely, Migration } from "kysely";
import { type DialectName, stringColumn } from "../tracking/store/database.js";

// biome-ignore lint/suspicious/noExplicitAny: Kysely's own migration signature is Kysely<any>
type AnyDb = Kysely<any>;

export function authMigration(dialect: DialectName): Migration {
  return {
    async up(db: AnyDb) {
      const bigint = "bigint" as const;
      const str = (type: Parameters<typeof stringColumn>[1]) => stringColumn(dialect, type);
      const serial = dialect === "sqlite" ? "integer" : "bigserial";
      const userId = dialect === "sqlite" ? "integer" : "bigint";
      await db.schema
        .createTable("auth_users")
        .addColumn("user_id", serial, (col) =>
          dialect === "sqlite" ? col.primaryKey().autoIncrement() : col.primaryKey(),
        )
        .addColumn("username", str("varchar(256)"), (col) => col.notNull().unique())
        .addColumn("password_hash", str("varchar(256)"), (col) => col.notNull())
        .addColumn("is_admin", "integer", (col) => col.notNull())
        .addColumn("creation_time", bigint, (col) => col.notNull())
        .execute();
      await db.schema
        .createTable("auth_experiment_permissions")
        .addColumn("experiment_id", str("varchar(64)"), (col) => col.notNull())
        .addColumn("user_id", userId, (col) => col.notNull().references("auth_users.user_id").onDelete("cascade"))
        .addColumn("permission", str("varchar(32)"), (col) => col.notNull())
        .addPrimaryKeyConstraint("auth_experiment_permissions_pk", ["experiment_id", "user_id"])
        .execute();
      await db.schema
        .createIndex("auth_experiment_permissions_user")
        .on("auth_experiment_permissions")
        .column("user_id")
        .execute();
      await db.schema
        .createTable("auth_registered_model_permissions")
        .addColumn("name", str("varchar(256)"), (col) => col.notNull())
        .addColumn("user_id", userId, (col) => col.notNull().references("auth_users.user_id").onDelete("cascade"))
        .addColumn("permission", str("varchar(32)"), (col) => col.notNull())
        .addPrimaryKeyConstraint("auth_registered_model_permissions_pk", ["name", "user_id"])
        .execute();
      await db.schema
        .createIndex("auth_registered_model_permissions_user")
        .on("auth_registered_model_permissions")
        .column("user_id")
        .execute();
      await db.schema
        .createTable("auth_tokens")
        .addColumn("token_id", str("varchar(32)"), (col) => col.primaryKey())
        .addColumn("user_id", userId, (col) => col.notNull().references("auth_users.user_id").onDelete("cascade"))
        .addColumn("name", str("varchar(256)"), (col) => col.notNull())
        .addColumn("secret_hash", str("varchar(64)"), (col) => col.notNull().unique())
        .addColumn("creation_time", bigint, (col) => col.notNull())
        .addColumn("expiration_time", bigint)
        .addColumn("revoked_time", bigint)
        .execute();
      await db.schema.createIndex("auth_tokens_user").on("auth_tokens").column("user_id").execute();
      await db.schema
        .createTable("auth_audit_log")
        .addColumn("event_id", serial, (col) =>
          dialect === "sqlite" ? col.primaryKey().autoIncrement() : col.primaryKey(),
        )
        .addColumn("timestamp", bigint, (col) => col.notNull())
        .addColumn("username", str("varchar(256)"))
        .addColumn("method", str("varchar(16)"), (col) => col.notNull())
        .addColumn("path", str("text"), (col) => col.notNull())
        .addColumn("target", str("text"))
        .addColumn("remote_address", str("varchar(64)"), (col) => col.notNull())
        .addColumn("status", "integer", (col) => col.notNull())
        .execute();
    },
  };
}
