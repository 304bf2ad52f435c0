/**
 * @module auth/sql-store
 * `AuthStore` on the tracking database through Kysely: the same statements on SQLite and
 * PostgreSQL. Nothing is cached here; every replica and worker sees each change at once.
 */
import { type Kysely, sql } from "kysely";
import { alreadyExists, notFound } from "../core/errors.js";
import type { OpenedDatabase } from "../tracking/store/database.js";
import type { TrackingDatabase } from "../tracking/store/schema.js";
import { isUniqueViolation } from "../tracking/store/transaction.js";
import { newId } from "./password.js";
import type { Permission } from "./permissions.js";
import type { AuthDatabase } from "./schema.js";
import type {
  AccessToken,
  AuditEvent,
  AuthStore,
  AuthUser,
  NewAccessToken,
  NewAuditEvent,
  ResourceKind,
  StoredUser,
} from "./store.js";

type Db = Kysely<AuthDatabase>;

const TABLES = {
  experiment: { table: "auth_experiment_permissions", column: "experiment_id", label: "Experiment" },
  registered_model: { table: "auth_registered_model_permissions", column: "name", label: "Registered model" },
} as const;

interface UserRow {
  user_id: number;
  username: string;
  password_hash: string;
  is_admin: number;
}

function toUser(row: UserRow): StoredUser {
  return {
    id: Number(row.user_id),
    username: row.username,
    isAdmin: Number(row.is_admin) === 1,
    passwordHash: row.password_hash,
  };
}

interface TokenRow {
  token_id: string;
  user_id: number;
  username: string;
  name: string;
  creation_time: number;
  expiration_time: number | null;
  revoked_time: number | null;
}

function toToken(row: TokenRow): AccessToken {
  return {
    id: row.token_id,
    userId: Number(row.user_id),
    username: row.username,
    name: row.name,
    creationTime: Number(row.creation_time),
    expirationTime: row.expiration_time === null ? null : Number(row.expiration_time),
    revokedTime: row.revoked_time === null ? null : Number(row.revoked_time),
  };
}

function userNotFound(username: string): Error {
  return notFound(`User with username=${username} not found. Create it with POST /api/2.0/mlflow/users/create.`);
}

export class SqlAuthStore implements AuthStore {
  private readonly db: Db;

  /** Uses a database the tracking store has opened and migrated (migration 0003_auth). */
  constructor(opened: OpenedDatabase<TrackingDatabase>) {
    // The auth tables sit beside the tracking tables; only they are typed here.
    this.db = opened.db as unknown as Db;
  }

  async createUser(username: string, passwordHash: string, isAdmin: boolean): Promise<AuthUser> {
    try {
      const row = await this.db
        .insertInto("auth_users")
        .values({ username, password_hash: passwordHash, is_admin: isAdmin ? 1 : 0, creation_time: Date.now() })
        .returning("user_id")
        .executeTakeFirstOrThrow();
      return { id: Number(row.user_id), username, isAdmin };
    } catch (error) {
      if (isUniqueViolation(error)) throw alreadyExists(`User '${username}' already exists. Choose another username.`);
      throw error;
    }
  }

  async findUser(username: string): Promise<StoredUser | undefined> {
    const row = await this.db
      .selectFrom("auth_users")
      .select(["user_id", "username", "password_hash", "is_admin"])
      .where("username", "=", username)
      .executeTakeFirst();
    return row ? toUser(row) : undefined;
  }

  async getUser(username: string): Promise<StoredUser> {
    const user = await this.findUser(username);
    if (!user) throw userNotFound(username);
    return user;
  }

  async hasAdmin(): Promise<boolean> {
    const row = await this.db.selectFrom("auth_users").select("user_id").where("is_admin", "=", 1).executeTakeFirst();
    return row !== undefined;
  }

  async updatePassword(username: string, passwordHash: string): Promise<void> {
    const result = await this.db
      .updateTable("auth_users")
      .set({ password_hash: passwordHash })
      .where("username", "=", username)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) throw userNotFound(username);
  }

  async updateAdmin(username: string, isAdmin: boolean): Promise<void> {
    const result = await this.db
      .updateTable("auth_users")
      .set({ is_admin: isAdmin ? 1 : 0 })
      .where("username", "=", username)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) throw userNotFound(username);
  }

  async deleteUser(username: string): Promise<void> {
    const user = await this.getUser(username);
    await this.db.transaction().execute(async (trx) => {
      // Deleted explicitly as well as by ON DELETE CASCADE, so no row outlives its user whatever the pragmas.
      await trx.deleteFrom("auth_experiment_permissions").where("user_id", "=", user.id).execute();
      await trx.deleteFrom("auth_registered_model_permissions").where("user_id", "=", user.id).execute();
      await trx.deleteFrom("auth_tokens").where("user_id", "=", user.id).execute();
      await trx.deleteFrom("auth_users").where("user_id", "=", user.id).execute();
    });
  }

  async findPermission(kind: ResourceKind, resource: string, userId: number): Promise<Permission | undefined> {
    const { table, column } = TABLES[kind];
    const row = await this.db
      .selectFrom(table)
      .select("permission")
      .where(sql.ref<string>(column), "=", resource)
      .where("user_id", "=", userId)
      .executeTakeFirst();
    return row?.permission as Permission | undefined;
  }

  async listPermissions(kind: ResourceKind, userId: number): Promise<Map<string, Permission>> {
    const { table, column } = TABLES[kind];
    const rows = await this.db
      .selectFrom(table)
      .select([sql.ref<string>(column).as("resource"), "permission"])
      .where("user_id", "=", userId)
      .execute();
    return new Map(rows.map((row) => [String(row.resource), row.permission as Permission]));
  }

  async createPermission(kind: ResourceKind, resource: string, userId: number, permission: Permission): Promise<void> {
    const { table, column, label } = TABLES[kind];
    try {
      await this.db
        .insertInto(table)
        .values({ [column]: resource, user_id: userId, permission } as never)
        .execute();
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw alreadyExists(
          `${label} permission (${resource}) for user id ${userId} already exists. Change it with the permissions/update endpoint.`,
        );
      }
      throw error;
    }
  }

  async upsertPermission(kind: ResourceKind, resource: string, userId: number, permission: Permission): Promise<void> {
    const { table, column } = TABLES[kind];
    await this.db
      .insertInto(table)
      .values({ [column]: resource, user_id: userId, permission } as never)
      .onConflict((conflict) => conflict.columns([column, "user_id"] as never).doUpdateSet({ permission } as never))
      .execute();
  }

  async updatePermission(kind: ResourceKind, resource: string, userId: number, permission: Permission): Promise<void> {
    const { table, column, label } = TABLES[kind];
    const result = await this.db
      .updateTable(table)
      .set({ permission })
      .where(sql.ref<string>(column), "=", resource)
      .where("user_id", "=", userId)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) {
      throw notFound(`${label} permission (${resource}) for user id ${userId} not found. Create it first.`);
    }
  }

  async deletePermission(kind: ResourceKind, resource: string, userId: number): Promise<void> {
    const { table, column, label } = TABLES[kind];
    const result = await this.db
      .deleteFrom(table)
      .where(sql.ref<string>(column), "=", resource)
      .where("user_id", "=", userId)
      .executeTakeFirst();
    if (Number(result.numDeletedRows) === 0) {
      throw notFound(`${label} permission (${resource}) for user id ${userId} not found.`);
    }
  }

  async deleteResourcePermissions(kind: ResourceKind, resource: string): Promise<void> {
    const { table, column } = TABLES[kind];
    await this.db.deleteFrom(table).where(sql.ref<string>(column), "=", resource).execute();
  }

  async renameResource(kind: ResourceKind, from: string, to: string): Promise<void> {
    const { table, column } = TABLES[kind];
    await this.db.transaction().execute(async (trx) => {
      // Rows granted on the new name before it existed give way to the model's own rows.
      const moving = trx.selectFrom(table).select("user_id").where(sql.ref<string>(column), "=", from);
      await trx.deleteFrom(table).where(sql.ref<string>(column), "=", to).where("user_id", "in", moving).execute();
      await trx
        .updateTable(table)
        .set({ [column]: to } as never)
        .where(sql.ref<string>(column), "=", from)
        .execute();
    });
  }

  async createToken(token: NewAccessToken): Promise<AccessToken> {
    const id = newId();
    await this.db
      .insertInto("auth_tokens")
      .values({
        token_id: id,
        user_id: token.userId,
        name: token.name,
        secret_hash: token.secretHash,
        creation_time: token.creationTime,
        expiration_time: token.expirationTime,
        revoked_time: null,
      })
      .execute();
    const created = await this.findToken(id);
    if (!created) throw notFound(`Token ${id} vanished right after it was created.`);
    return created;
  }

  private tokens() {
    return this.db
      .selectFrom("auth_tokens")
      .innerJoin("auth_users", "auth_users.user_id", "auth_tokens.user_id")
      .select([
        "auth_tokens.token_id",
        "auth_tokens.user_id",
        "auth_users.username",
        "auth_tokens.name",
        "auth_tokens.creation_time",
        "auth_tokens.expiration_time",
        "auth_tokens.revoked_time",
      ]);
  }

  async findTokenBySecretHash(secretHash: string): Promise<{ token: AccessToken; user: AuthUser } | undefined> {
    const row = await this.tokens()
      .select("auth_users.is_admin")
      .where("auth_tokens.secret_hash", "=", secretHash)
      .where("auth_tokens.revoked_time", "is", null)
      .executeTakeFirst();
    if (!row) return undefined;
    const token = toToken(row);
    return { token, user: { id: token.userId, username: token.username, isAdmin: Number(row.is_admin) === 1 } };
  }

  async findToken(id: string): Promise<AccessToken | undefined> {
    const row = await this.tokens().where("auth_tokens.token_id", "=", id).executeTakeFirst();
    return row ? toToken(row) : undefined;
  }

  async listTokens(userId: number): Promise<AccessToken[]> {
    const rows = await this.tokens()
      .where("auth_tokens.user_id", "=", userId)
      .orderBy("auth_tokens.creation_time")
      .orderBy("auth_tokens.token_id")
      .execute();
    return rows.map(toToken);
  }

  async revokeToken(id: string, when: number): Promise<void> {
    await this.db
      .updateTable("auth_tokens")
      .set({ revoked_time: when })
      .where("token_id", "=", id)
      .where("revoked_time", "is", null)
      .execute();
  }

  async appendAudit(event: NewAuditEvent): Promise<void> {
    await this.db
      .insertInto("auth_audit_log")
      .values({
        timestamp: event.timestamp,
        username: event.username,
        method: event.method,
        path: event.path,
        target: event.target,
        remote_address: event.remoteAddress,
        status: event.status,
      })
      .execute();
  }

  async listAudit(maxResults: number, before?: number): Promise<AuditEvent[]> {
    let query = this.db.selectFrom("auth_audit_log").selectAll().orderBy("event_id", "desc").limit(maxResults);
    if (before !== undefined) query = query.where("event_id", "<", before);
    const rows = await query.execute();
    return rows.map((row) => ({
      id: Number(row.event_id),
      timestamp: Number(row.timestamp),
      username: row.username,
      method: row.method,
      path: row.path,
      target: row.target,
      remoteAddress: row.remote_address,
      status: Number(row.status),
    }));
  }
}
