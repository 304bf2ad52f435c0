/**
 * @module auth/password
 * Password and token secrets. Passwords are hashed with scrypt (node:crypto) under a random per-user
 * salt and compared in constant time; access tokens are random and stored only as their SHA-256.
 * A password must have at least 12 characters: MLflow accepted empty and one-character passwords
 * (CVE-2025-1474, CVE-2025-11200).
 */
import { createHash, randomBytes, scrypt, timingSafeEqual } from "node:crypto";
import { invalidParameter } from "../core/errors.js";

export const MIN_PASSWORD_LENGTH = 12;

/** scrypt cost: N=2^14, r=8, p=1 (16 MiB, tens of milliseconds), the common interactive setting. */
const COST = { N: 16384, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;
const SALT_BYTES = 16;

function derive(password: string, salt: Buffer, cost: { N: number; r: number; p: number }): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, KEY_LENGTH, { ...cost, maxmem: 64 * 1024 * 1024 }, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

/** Refuses a password shorter than the minimum, saying how long it must be. */
export function validatePassword(password: string): string {
  if (typeof password !== "string" || [...password].length < MIN_PASSWORD_LENGTH) {
    throw invalidParameter(
      `Password too short: it must have at least ${MIN_PASSWORD_LENGTH} characters. Choose a longer one (a passphrase works well).`,
    );
  }
  return password;
}

/** `scrypt$N$r$p$<salt base64>$<key base64>` for a new random salt. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, COST);
  return ["scrypt", COST.N, COST.r, COST.p, salt.toString("base64"), key.toString("base64")].join("$");
}

/** Whether `password` matches a hash made by `hashPassword`; false for a malformed hash. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, key] = stored.split("$");
  if (scheme !== "scrypt" || !n || !r || !p || salt === undefined || key === undefined) return false;
  const expected = Buffer.from(key, "base64");
  const actual = await derive(password, Buffer.from(salt, "base64"), { N: Number(n), r: Number(r), p: Number(p) });
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** A hash no password matches, verified against for unknown users so they take as long as known ones. */
export const DUMMY_PASSWORD_HASH = `scrypt$${COST.N}$${COST.r}$${COST.p}$${Buffer.alloc(SALT_BYTES).toString("base64")}$${Buffer.alloc(KEY_LENGTH).toString("base64")}`;

/** The hex SHA-256 of a text (token secrets, credential cache keys). */
export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** A new access token: `lathe_` and 32 random bytes, base64url. */
export function newTokenSecret(): string {
  return `lathe_${randomBytes(32).toString("base64url")}`;
}

/** A short random id (tokens, nothing secret). */
export function newId(): string {
  return randomBytes(8).toString("hex");
}
