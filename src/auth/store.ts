/**
 * @module auth/store
 * What the auth layer keeps: users, their permissions on experiments and registered models, access
 * tokens and the audit log. `AuthStore` is the contract; `SqlAuthStore` implements it once with
 * Kysely on the tracking database, for SQLite and PostgreSQL alike.
 */
import type { Permission } from "./permissions.js";

export interface AuthUser {
  readonly id: number;
  readonly username: string;
  readonly isAdmin: boolean;
}

export interface StoredUser extends AuthUser {
  readonly passwordHash: string;
}

export interface ExperimentPermissionRow {
  readonly experimentId: string;
  readonly userId: number;
  readonly permission: Permission;
}

export interface RegisteredModelPermissionRow {
  readonly name: string;
  readonly userId: number;
  readonly permission: Permission;
}

export interface AccessToken {
  readonly id: string;
  readonly userId: number;
  readonly username: string;
  readonly name: string;
  readonly creationTime: number;
  readonly expirationTime: number | null;
  readonly revokedTime: number | null;
}

export interface NewAccessToken {
  readonly userId: number;
  readonly name: string;
  /** SHA-256 (hex) of the secret; the secret itself is never stored. */
  readonly secretHash: string;
  readonly creationTime: number;
  readonly expirationTime: number | null;
}

export interface AuditEvent {
  readonly id: number;
  readonly timestamp: number;
  /** Who made the request; null when it carried no valid credentials. */
  readonly username: string | null;
  readonly method: string;
  readonly path: string;
  /** The experiment, run, model or user the request acted on, when known. */
  readonly target: string | null;
  readonly remoteAddress: string;
  readonly status: number;
}

export type NewAuditEvent = Omit<AuditEvent, "id">;

export type ResourceKind = "experiment" | "registered_model";

export interface AuthStore {
  createUser(username: string, passwordHash: string, isAdmin: boolean): Promise<AuthUser>;
  /** The user with that name, or undefined. */
  findUser(username: string): Promise<StoredUser | undefined>;
  /** The user with that name, or 404 RESOURCE_DOES_NOT_EXIST. */
  getUser(username: string): Promise<StoredUser>;
  hasAdmin(): Promise<boolean>;
  updatePassword(username: string, passwordHash: string): Promise<void>;
  updateAdmin(username: string, isAdmin: boolean): Promise<void>;
  /** Deletes a user with their permissions and tokens. */
  deleteUser(username: string): Promise<void>;

  /** One user's permission on one resource, or undefined when no row exists. */
  findPermission(kind: ResourceKind, resource: string, userId: number): Promise<Permission | undefined>;
  /** Every permission row of one user on one kind of resource, keyed by resource. */
  listPermissions(kind: ResourceKind, userId: number): Promise<Map<string, Permission>>;
  /** 400 RESOURCE_ALREADY_EXISTS when the user already has a row on the resource. */
  createPermission(kind: ResourceKind, resource: string, userId: number, permission: Permission): Promise<void>;
  /** Creates or replaces a row (the creator's MANAGE). */
  upsertPermission(kind: ResourceKind, resource: string, userId: number, permission: Permission): Promise<void>;
  /** 404 when there is no row to update. */
  updatePermission(kind: ResourceKind, resource: string, userId: number, permission: Permission): Promise<void>;
  /** 404 when there is no row to delete. */
  deletePermission(kind: ResourceKind, resource: string, userId: number): Promise<void>;
  /** Drops every row on a resource (a deleted registered model). */
  deleteResourcePermissions(kind: ResourceKind, resource: string): Promise<void>;
  /** Moves every row of a resource to its new name (a renamed registered model). */
  renameResource(kind: ResourceKind, from: string, to: string): Promise<void>;

  createToken(token: NewAccessToken): Promise<AccessToken>;
  /** The live (not revoked) token with that secret hash and its user, or undefined. */
  findTokenBySecretHash(secretHash: string): Promise<{ token: AccessToken; user: AuthUser } | undefined>;
  findToken(id: string): Promise<AccessToken | undefined>;
  listTokens(userId: number): Promise<AccessToken[]>;
  revokeToken(id: string, when: number): Promise<void>;

  appendAudit(event: NewAuditEvent): Promise<void>;
  /** Newest first; `before` is the id the previous page ended at. */
  listAudit(maxResults: number, before?: number): Promise<AuditEvent[]>;
}
