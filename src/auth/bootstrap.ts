/**
 * @module auth/bootstrap
 * The first admin. There is no default password: the admin comes from --auth-admin-username and
 * --auth-admin-password (or LATHE_AUTH_ADMIN_USERNAME / LATHE_AUTH_ADMIN_PASSWORD); without them
 * the server starts only if the database already has an admin.
 */
import { alreadyExists, isLatheError, LatheError } from "../core/errors.js";
import type { OpenedDatabase } from "../tracking/store/database.js";
import type { TrackingDatabase } from "../tracking/store/schema.js";
import { hashPassword, MIN_PASSWORD_LENGTH, validatePassword } from "./password.js";
import { validateUsername } from "./routes.js";
import { SqlAuthStore } from "./sql-store.js";
import type { AuthStore } from "./store.js";

export interface AdminCredentials {
  readonly username?: string;
  readonly password?: string;
}

const HOW_TO = `Start the server with --auth-admin-username NAME --auth-admin-password PASSWORD (or set LATHE_AUTH_ADMIN_USERNAME and LATHE_AUTH_ADMIN_PASSWORD); the password needs at least ${MIN_PASSWORD_LENGTH} characters.`;

function configError(message: string, cause?: unknown): LatheError {
  return new LatheError("CONFIG_INVALID", message, { cause });
}

/**
 * Creates the configured admin when missing (an existing user of that name is made admin; their
 * password is left as it is). With no admin configured, an existing admin is required.
 *
 * @throws LatheError CONFIG_INVALID naming what to set.
 */
export async function ensureAdmin(store: AuthStore, credentials: AdminCredentials): Promise<void> {
  const { username, password } = credentials;
  if (!username && !password) {
    if (await store.hasAdmin()) return;
    throw configError(`--auth is on but there is no admin user yet. ${HOW_TO}`);
  }
  if (!username) throw configError(`--auth-admin-password is set but --auth-admin-username is not. ${HOW_TO}`);
  try {
    validateUsername(username);
  } catch (error) {
    throw configError(`--auth-admin-username: ${(error as Error).message}`, error);
  }
  const existing = await store.findUser(username);
  if (existing) {
    if (!existing.isAdmin) await store.updateAdmin(username, true);
    return;
  }
  if (!password)
    throw configError(`--auth-admin-username '${username}' has no user yet and no password was given. ${HOW_TO}`);
  try {
    validatePassword(password);
  } catch (error) {
    throw configError(`--auth-admin-password: ${(error as Error).message}`, error);
  }
  try {
    await store.createUser(username, await hashPassword(password), true);
  } catch (error) {
    // Another replica or worker created it at the same moment.
    if (isLatheError(error) && error.code === alreadyExists("").code) return;
    throw error;
  }
}

/**
 * The auth store on an opened (and migrated) tracking database, with the first admin ensured.
 *
 * @throws LatheError CONFIG_INVALID when no admin exists and none is configured.
 */
export async function openAuthStore(
  opened: OpenedDatabase<TrackingDatabase>,
  credentials: AdminCredentials,
): Promise<SqlAuthStore> {
  const store = new SqlAuthStore(opened);
  await ensureAdmin(store, credentials);
  return store;
}
