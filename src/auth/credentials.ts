/**
 * @module auth/credentials
 * Who a request is: HTTP Basic (username and password, checked with scrypt) or a bearer token
 * (looked up by its SHA-256). Two small per-process memories, both safe to be stale briefly:
 *
 * - a credential cache keyed by the SHA-256 of the whole Authorization header (never the password),
 *   so a client sending the same header does not pay scrypt on every request. Entries live
 *   `cacheTtlMs` (5 s by default): a password change, an admin flag change, a deleted user or a
 *   revoked token takes effect at once in the process that made the change and on every other
 *   worker and replica within that time;
 * - failed attempts per username (or token) and remote address, refused with 429 and Retry-After
 *   past `maxFailures` in `failureWindowMs`. Counted per process: with N workers or replicas an
 *   attacker gets at most N times the limit.
 */
import { LatheError } from "../core/errors.js";
import { DUMMY_PASSWORD_HASH, sha256, verifyPassword } from "./password.js";
import type { AuthStore, AuthUser } from "./store.js";

/** An authenticated caller and how they proved it. */
export interface Principal extends AuthUser {
  readonly via: "basic" | "token";
}

export interface AuthenticatorOptions {
  /** How long a verified Authorization header is trusted without asking the database; default 5000. */
  cacheTtlMs?: number;
  /** Failed attempts allowed per username (or token) and address in the window; default 10. */
  maxFailures?: number;
  /** The rate-limit window; default one minute. */
  failureWindowMs?: number;
  /** The clock (tests move it); default Date.now. */
  now?: () => number;
}

/** A refusal to authenticate, with the header the client must see (WWW-Authenticate or Retry-After). */
export class AuthenticationError extends LatheError {
  constructor(
    code: "UNAUTHENTICATED" | "REQUEST_LIMIT_EXCEEDED",
    message: string,
    readonly headers: Readonly<Record<string, string>>,
  ) {
    super(code, message);
  }
}

/** The WWW-Authenticate challenge every 401 carries. */
export const CHALLENGE = 'Basic realm="lathe"';

const HOW_TO =
  "Send HTTP Basic credentials (MLflow clients: MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD) or a bearer token from `lathe token create` (MLFLOW_TRACKING_TOKEN).";

function unauthenticated(message: string): AuthenticationError {
  return new AuthenticationError("UNAUTHENTICATED", message, { "WWW-Authenticate": CHALLENGE });
}

/** Largest number of cached headers; the cache is emptied when it fills (it only saves work). */
const CACHE_LIMIT = 10_000;

export class Authenticator {
  readonly #store: AuthStore;
  readonly #ttl: number;
  readonly #maxFailures: number;
  readonly #window: number;
  readonly #now: () => number;
  readonly #cache = new Map<string, { principal: Principal; expires: number }>();
  readonly #failures = new Map<string, number[]>();

  constructor(store: AuthStore, options: AuthenticatorOptions = {}) {
    this.#store = store;
    this.#ttl = options.cacheTtlMs ?? 5000;
    this.#maxFailures = options.maxFailures ?? 10;
    this.#window = options.failureWindowMs ?? 60_000;
    this.#now = options.now ?? Date.now;
  }

  /**
   * The user behind an Authorization header.
   *
   * @throws AuthenticationError 401 without or with wrong credentials; 429 after too many failures.
   */
  async authenticate(authorization: string | undefined, address: string): Promise<Principal> {
    if (!authorization || authorization.trim() === "") throw unauthenticated(`Authentication required. ${HOW_TO}`);
    const key = sha256(authorization);
    const cached = this.#cache.get(key);
    if (cached && cached.expires > this.#now()) return cached.principal;
    if (cached) this.#cache.delete(key);
    const match = /^\s*(\w+)\s+(\S+)\s*$/.exec(authorization);
    const scheme = match?.[1]?.toLowerCase();
    const credentials = match?.[2] ?? "";
    let principal: Principal;
    if (scheme === "basic") principal = await this.#basic(credentials, address);
    else if (scheme === "bearer") principal = await this.#bearer(credentials, address);
    else throw unauthenticated(`Unsupported Authorization scheme. ${HOW_TO}`);
    if (this.#cache.size >= CACHE_LIMIT) this.#cache.clear();
    this.#cache.set(key, { principal, expires: this.#now() + this.#ttl });
    return principal;
  }

  /**
   * Drops this process's cached credentials of a user (after a password, admin or token change
   * made here); other processes drop theirs when the entries expire.
   */
  forget(userId: number): void {
    for (const [key, entry] of this.#cache) if (entry.principal.id === userId) this.#cache.delete(key);
  }

  async #basic(credentials: string, address: string): Promise<Principal> {
    const decoded = Buffer.from(credentials, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon <= 0)
      throw unauthenticated(`Malformed Basic credentials: expected base64 of 'username:password'. ${HOW_TO}`);
    const username = decoded.slice(0, colon);
    const password = decoded.slice(colon + 1);
    const limitKey = `user\n${username}\n${address}`;
    this.#checkLimit(limitKey);
    const user = await this.#store.findUser(username);
    // Unknown users are checked against a dummy hash so they take as long as known ones.
    const valid = await verifyPassword(password, user?.passwordHash ?? DUMMY_PASSWORD_HASH);
    if (!user || !valid) {
      this.#fail(limitKey);
      throw unauthenticated(`Invalid username or password. ${HOW_TO}`);
    }
    return { id: user.id, username: user.username, isAdmin: user.isAdmin, via: "basic" };
  }

  async #bearer(secret: string, address: string): Promise<Principal> {
    const limitKey = `token\n${address}`;
    this.#checkLimit(limitKey);
    const found = await this.#store.findTokenBySecretHash(sha256(secret));
    if (!found) {
      this.#fail(limitKey);
      throw unauthenticated(`Invalid or revoked access token. Create a new one with \`lathe token create\`.`);
    }
    const { token, user } = found;
    if (token.expirationTime !== null && token.expirationTime <= this.#now()) {
      throw unauthenticated(
        `Access token '${token.name}' (${token.id}) expired on ${new Date(token.expirationTime).toISOString()}. Create a new one with \`lathe token create\`.`,
      );
    }
    return { ...user, via: "token" };
  }

  /** Recent failures for a key, dropping those older than the window. */
  #recent(key: string): number[] {
    const since = this.#now() - this.#window;
    const times = (this.#failures.get(key) ?? []).filter((time) => time > since);
    if (times.length === 0) this.#failures.delete(key);
    else this.#failures.set(key, times);
    return times;
  }

  #checkLimit(key: string): void {
    const times = this.#recent(key);
    if (times.length < this.#maxFailures) return;
    const retryAfter = Math.max(1, Math.ceil((times[0]! + this.#window - this.#now()) / 1000));
    throw new AuthenticationError(
      "REQUEST_LIMIT_EXCEEDED",
      `Too many failed sign-in attempts from this address: ${times.length} in the last ${this.#window / 1000} s. Try again in ${retryAfter} s.`,
      { "Retry-After": String(retryAfter) },
    );
  }

  #fail(key: string): void {
    const times = this.#recent(key);
    times.push(this.#now());
    this.#failures.set(key, times);
    // Bounded memory under a flood of distinct usernames: forget the oldest keys.
    if (this.#failures.size > CACHE_LIMIT) {
      const oldest = this.#failures.keys().next().value;
      if (oldest !== undefined) this.#failures.delete(oldest);
    }
  }
}
