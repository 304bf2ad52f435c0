/**
 * @module server/user
 * Who a request comes from, as the registry history records it. With `--auth` it is the user the
 * auth layer authenticated (`setAuthenticatedUser`). Without it the server does not authenticate:
 * this names the caller from the credentials MLflow clients send (`MLFLOW_TRACKING_USERNAME`/
 * `PASSWORD` as Basic, `MLFLOW_TRACKING_TOKEN` as Bearer), never storing a secret: a token is
 * recorded only as a short hash.
 */
import { createHash } from "node:crypto";

/** The user of a request that carries no usable credentials. */
export const ANONYMOUS_USER = "anonymous";

/**
 * `Basic` → the username; `Bearer` → `token:` and the first 8 hex digits of the token's SHA-256;
 * anything else (or nothing) → `anonymous`.
 *
 * @example requestUser("Basic " + btoa("alice:secret")) // "alice"
 */
export function requestUser(authorization: string | undefined): string {
  if (!authorization) return ANONYMOUS_USER;
  const match = /^\s*(\w+)\s+(\S+)\s*$/.exec(authorization);
  const scheme = match?.[1]?.toLowerCase();
  const credentials = match?.[2];
  if (!credentials) return ANONYMOUS_USER;
  if (scheme === "bearer") return `token:${createHash("sha256").update(credentials).digest("hex").slice(0, 8)}`;
  if (scheme !== "basic") return ANONYMOUS_USER;
  const decoded = Buffer.from(credentials, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  const username = colon < 0 ? decoded : decoded.slice(0, colon);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: a username with control characters is not recorded
  if (username === "" || username.length > 256 || /[\u0000-\u001f\u007f]/.test(username)) return ANONYMOUS_USER;
  return username;
}

const authenticated = new WeakMap<object, string>();

/** Records the user the auth layer verified for a request (see auth/install.ts). */
export function setAuthenticatedUser(request: object, username: string): void {
  authenticated.set(request, username);
}

/** The caller of a request: the authenticated user when auth is on, else `requestUser` of its header. */
export function callerOf(request: { readonly headers: { readonly authorization?: string } }): string {
  return authenticated.get(request) ?? requestUser(request.headers.authorization);
}

/** The user to record as an entity's `user_id`: none for anonymous requests, as MLflow leaves it unset. */
export function knownUser(user: string): string | undefined {
  return user === ANONYMOUS_USER ? undefined : user;
}
