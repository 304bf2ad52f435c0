/**
 * The auth store on both databases: SQLite always, PostgreSQL when LATHE_TEST_PG_URL is set. Users,
 * permissions (with cascades on user deletion), tokens and the audit log, through the same code.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureAdmin } from "../../src/auth/bootstrap.js";
import { Authenticator } from "../../src/auth/credentials.js";
import { hashPassword, sha256 } from "../../src/auth/password.js";
import { SqlAuthStore } from "../../src/auth/sql-store.js";
import { openDatabase } from "../../src/tracking/store/database.js";
import { SqlTrackingStore } from "../../src/tracking/store/sql-store.js";
import { createTestDatabase, PG_SKIP_MESSAGE, PG_TEST_URL } from "../helpers/postgres.js";

const BACKENDS = PG_TEST_URL ? (["sqlite", "postgres"] as const) : (["sqlite"] as const);

if (!PG_TEST_URL) it.skip(PG_SKIP_MESSAGE, () => {});

describe.each(BACKENDS)("auth store on %s", (backend) => {
  let tracking: SqlTrackingStore;
  let store: SqlAuthStore;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    let uri: string;
    if (backend === "postgres") {
      const database = await createTestDatabase();
      uri = database.uri;
      cleanup = () => database.drop();
    } else {
      const dir = mkdtempSync(join(tmpdir(), "lathe-auth-store-"));
      uri = `sqlite:///${join(dir, "auth.db")}`;
      cleanup = async () => rmSync(dir, { recursive: true, force: true });
    }
    const opened = await openDatabase(uri);
    tracking = await SqlTrackingStore.open(opened, { defaultArtifactRoot: "mlflow-artifacts:/" });
    store = new SqlAuthStore(opened);
  });

  afterAll(async () => {
    await tracking.close();
    await cleanup();
  });

  it("creates, finds, updates and deletes users; names are unique", async () => {
    const user = await store.createUser("ann", await hashPassword("ann-password-123"), false);
    expect(user).toEqual({ id: expect.any(Number), username: "ann", isAdmin: false });
    await expect(store.createUser("ann", "x", false)).rejects.toMatchObject({ code: "RESOURCE_ALREADY_EXISTS" });
    expect(await store.findUser("nobody")).toBeUndefined();
    await expect(store.getUser("nobody")).rejects.toMatchObject({ code: "RESOURCE_DOES_NOT_EXIST" });
    await store.updateAdmin("ann", true);
    expect((await store.getUser("ann")).isAdmin).toBe(true);
    expect(await store.hasAdmin()).toBe(true);
    await store.updatePassword("ann", "new-hash");
    expect((await store.getUser("ann")).passwordHash).toBe("new-hash");
    await expect(store.updatePassword("nobody", "h")).rejects.toMatchObject({ code: "RESOURCE_DOES_NOT_EXIST" });
  });

  it("keeps permissions per user and resource; renames and drops them with the resource; drops them with the user", async () => {
    const ben = await store.createUser("ben", "h", false);
    await store.createPermission("experiment", "7", ben.id, "READ");
    await expect(store.createPermission("experiment", "7", ben.id, "EDIT")).rejects.toMatchObject({
      code: "RESOURCE_ALREADY_EXISTS",
    });
    await store.updatePermission("experiment", "7", ben.id, "EDIT");
    expect(await store.findPermission("experiment", "7", ben.id)).toBe("EDIT");
    await store.upsertPermission("experiment", "7", ben.id, "MANAGE");
    await store.upsertPermission("experiment", "8", ben.id, "READ");
    expect(await store.listPermissions("experiment", ben.id)).toEqual(
      new Map([
        ["7", "MANAGE"],
        ["8", "READ"],
      ]),
    );
    await store.createPermission("registered_model", "m", ben.id, "EDIT");
    await store.renameResource("registered_model", "m", "m2");
    expect(await store.findPermission("registered_model", "m", ben.id)).toBeUndefined();
    expect(await store.findPermission("registered_model", "m2", ben.id)).toBe("EDIT");
    // A row granted on the new name beforehand gives way to the renamed model's own.
    await store.createPermission("registered_model", "m3", ben.id, "READ");
    await store.renameResource("registered_model", "m2", "m3");
    expect(await store.findPermission("registered_model", "m3", ben.id)).toBe("EDIT");
    await store.deleteResourcePermissions("registered_model", "m3");
    expect(await store.listPermissions("registered_model", ben.id)).toEqual(new Map());
    await expect(store.updatePermission("experiment", "99", ben.id, "READ")).rejects.toMatchObject({
      code: "RESOURCE_DOES_NOT_EXIST",
    });
    await store.deletePermission("experiment", "8", ben.id);
    await expect(store.deletePermission("experiment", "8", ben.id)).rejects.toMatchObject({
      code: "RESOURCE_DOES_NOT_EXIST",
    });
    const token = await store.createToken({
      userId: ben.id,
      name: "t",
      secretHash: sha256("s"),
      creationTime: 1,
      expirationTime: null,
    });
    await store.deleteUser("ben");
    expect(await store.findPermission("experiment", "7", ben.id)).toBeUndefined();
    expect(await store.findToken(token.id)).toBeUndefined();
  });

  it("stores tokens by secret hash only, finds live ones, lists and revokes", async () => {
    const cat = await store.createUser("cat", "h", false);
    const token = await store.createToken({
      userId: cat.id,
      name: "ci",
      secretHash: sha256("secret-1"),
      creationTime: 1,
      expirationTime: 5,
    });
    expect(token).toEqual({
      id: expect.any(String),
      userId: cat.id,
      username: "cat",
      name: "ci",
      creationTime: 1,
      expirationTime: 5,
      revokedTime: null,
    });
    expect((await store.findTokenBySecretHash(sha256("secret-1")))?.user).toEqual({
      id: cat.id,
      username: "cat",
      isAdmin: false,
    });
    expect(await store.findTokenBySecretHash(sha256("secret-2"))).toBeUndefined();
    await store.revokeToken(token.id, 42);
    expect(await store.findTokenBySecretHash(sha256("secret-1"))).toBeUndefined();
    expect((await store.listTokens(cat.id)).map((t) => t.revokedTime)).toEqual([42]);
  });

  it("appends audit events and pages them newest first", async () => {
    for (let i = 0; i < 5; i++) {
      await store.appendAudit({
        timestamp: i,
        username: i % 2 ? "dan" : null,
        method: "POST",
        path: `/p/${i}`,
        target: null,
        remoteAddress: "127.0.0.1",
        status: 200,
      });
    }
    const first = await store.listAudit(3);
    expect(first.map((event) => event.path)).toEqual(["/p/4", "/p/3", "/p/2"]);
    const rest = await store.listAudit(3, first.at(-1)!.id);
    expect(rest.map((event) => [event.path, event.username])).toEqual([
      ["/p/1", "dan"],
      ["/p/0", null],
    ]);
  });

  it("ensures the first admin once, and authenticates against the stored hash", async () => {
    await ensureAdmin(store, { username: "root", password: "root-password-123" });
    await ensureAdmin(store, { username: "root", password: "ignored-when-present" });
    expect((await store.getUser("root")).isAdmin).toBe(true);
    const authenticator = new Authenticator(store);
    const header = `Basic ${Buffer.from("root:root-password-123").toString("base64")}`;
    expect(await authenticator.authenticate(header, "10.0.0.1")).toMatchObject({
      username: "root",
      isAdmin: true,
      via: "basic",
    });
  });
});
