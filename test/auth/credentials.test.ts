/**
 * The authenticator on a real SQLite auth store with a clock the test moves: the credential cache
 * (keyed by a hash of the header) honours its TTL, so a password change or a revoked token elsewhere
 * takes effect once entries expire; expired tokens are refused; failed attempts are limited per
 * username and address within a window.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuthenticationError, Authenticator } from "../../src/auth/credentials.js";
import { hashPassword, newTokenSecret, sha256, verifyPassword } from "../../src/auth/password.js";
import { SqlAuthStore } from "../../src/auth/sql-store.js";
import { openDatabase } from "../../src/tracking/store/database.js";
import { SqlTrackingStore } from "../../src/tracking/store/sql-store.js";

let dir: string;
let tracking: SqlTrackingStore;
let store: SqlAuthStore;
let now = 1_000_000;
const clock = () => now;
const basic = (username: string, password: string) =>
  `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "lathe-credentials-"));
  const opened = await openDatabase(`sqlite:///${join(dir, "auth.db")}`);
  tracking = await SqlTrackingStore.open(opened, { defaultArtifactRoot: "mlflow-artifacts:/" });
  store = new SqlAuthStore(opened);
  await store.createUser("eve", await hashPassword("eve-password-123"), false);
});

afterAll(async () => {
  await tracking.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("passwords", () => {
  it("hashes with scrypt under a per-user salt and verifies only the right password", async () => {
    const first = await hashPassword("same-password-1");
    const second = await hashPassword("same-password-1");
    expect(first).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(first).not.toBe(second);
    expect(first).not.toContain("same-password-1");
    expect(await verifyPassword("same-password-1", first)).toBe(true);
    expect(await verifyPassword("same-password-2", first)).toBe(false);
    expect(await verifyPassword("same-password-1", "plain-text")).toBe(false);
  });
});

describe("credential cache", () => {
  it("trusts a verified header until its TTL passes, so a password changed elsewhere stops working by then", async () => {
    const authenticator = new Authenticator(store, { cacheTtlMs: 5000, now: clock });
    const old = basic("eve", "eve-password-123");
    expect((await authenticator.authenticate(old, "a")).username).toBe("eve");
    // Another process changes the password.
    await store.updatePassword("eve", await hashPassword("eve-password-456"));
    now += 4000;
    expect((await authenticator.authenticate(old, "a")).username).toBe("eve");
    now += 1001;
    await expect(authenticator.authenticate(old, "a")).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
    expect((await authenticator.authenticate(basic("eve", "eve-password-456"), "a")).username).toBe("eve");
  });

  it("drops a user's cached headers at once when told (a change made in this process)", async () => {
    const authenticator = new Authenticator(store, { now: clock });
    const header = basic("eve", "eve-password-456");
    const eve = await authenticator.authenticate(header, "a");
    await store.updatePassword("eve", await hashPassword("eve-password-789"));
    authenticator.forget(eve.id);
    await expect(authenticator.authenticate(header, "a")).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
  });
});

describe("tokens", () => {
  it("accepts a live token, refuses it once expired or revoked", async () => {
    const authenticator = new Authenticator(store, { cacheTtlMs: 0, now: clock });
    const eve = await store.getUser("eve");
    const secret = newTokenSecret();
    const token = await store.createToken({
      userId: eve.id,
      name: "nightly",
      secretHash: sha256(secret),
      creationTime: now,
      expirationTime: now + 60_000,
    });
    expect(await authenticator.authenticate(`Bearer ${secret}`, "a")).toMatchObject({ username: "eve", via: "token" });
    now += 60_000;
    await expect(authenticator.authenticate(`Bearer ${secret}`, "a")).rejects.toThrow(/'nightly'.*expired/);
    const other = newTokenSecret();
    const live = await store.createToken({
      userId: eve.id,
      name: "other",
      secretHash: sha256(other),
      creationTime: now,
      expirationTime: null,
    });
    expect((await authenticator.authenticate(`bearer ${other}`, "a")).username).toBe("eve");
    await store.revokeToken(live.id, now);
    await expect(authenticator.authenticate(`Bearer ${other}`, "a")).rejects.toThrow(/revoked/);
    expect(token.id).not.toBe(live.id);
  });
});

describe("rate limiting", () => {
  it("refuses with 429 and Retry-After past the limit per username and address, until the window passes", async () => {
    const authenticator = new Authenticator(store, { maxFailures: 3, failureWindowMs: 60_000, now: clock });
    const wrong = basic("eve", "wrong-password-00");
    for (let i = 0; i < 3; i++)
      await expect(authenticator.authenticate(wrong, "10.0.0.9")).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
    const limited = await authenticator.authenticate(wrong, "10.0.0.9").catch((error: unknown) => error);
    expect(limited).toBeInstanceOf(AuthenticationError);
    expect((limited as AuthenticationError).code).toBe("REQUEST_LIMIT_EXCEEDED");
    expect((limited as AuthenticationError).headers["Retry-After"]).toBe("60");
    // Another address, or another username, is counted apart.
    await expect(authenticator.authenticate(basic("eve", "eve-password-789"), "10.0.0.10")).resolves.toMatchObject({
      username: "eve",
    });
    await expect(authenticator.authenticate(basic("zed", "x-password-1234"), "10.0.0.9")).rejects.toMatchObject({
      code: "UNAUTHENTICATED",
    });
    now += 60_001;
    await expect(authenticator.authenticate(basic("eve", "eve-password-789"), "10.0.0.9")).resolves.toMatchObject({
      username: "eve",
    });
  });
});
