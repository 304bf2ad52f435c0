/**
 * @module auth/schema
 * Kysely row types of the auth tables (see migration.ts).
 */
import type { Generated } from "kysely";

export interface AuthUsersTable {
  user_id: Generated<number>;
  username: string;
  password_hash: string;
  is_admin: number;
  creation_time: number;
}

export interface ExperimentPermissionsTable {
  experiment_id: string;
  user_id: number;
  permission: string;
}

export interface RegisteredModelPermissionsTable {
  name: string;
  user_id: number;
  permission: string;
}

export interface AuthTokensTable {
  token_id: string;
  user_id: number;
  name: string;
  secret_hash: string;
  creation_time: number;
  expiration_time: number | null;
  revoked_time: number | null;
}

export interface AuditLogTable {
  event_id: Generated<number>;
  timestamp: number;
  username: string | null;
  method: string;
  path: string;
  target: string | null;
  remote_address: string;
  status: number;
}

export interface AuthDatabase {
  auth_users: AuthUsersTable;
  auth_experiment_permissions: ExperimentPermissionsTable;
  auth_registered_model_permissions: RegisteredModelPermissionsTable;
  auth_tokens: AuthTokensTable;
  auth_audit_log: AuditLogTable;
}
