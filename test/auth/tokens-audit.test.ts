/**
 * Access tokens (create with Basic credentials, use as `Authorization: Bearer` like MLflow's
 * MLFLOW_TRACKING_TOKEN, list, revoke, expiry) and the audit log of mutating requests, through a
 * real server.
 */
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sqlitePathFromUri } from "../../src/tracking/store/database.js";
import { type AuthTestServer, startAuthServer } from "./helpers.js";

let server: AuthTestServer;
let bob: { username: string; password: string };
let alice: { username: string; password: string };

beforeAll(async () => {
  server = await startAuthServer();
  bob = await server.createUser("bob");
  alice = await server.createUser("alice");
});

afterAll(async () => {
  await server.close();
});

async function createToken(as: Parameters<AuthTestServer["as"]>[0], params: Record<string, unknown> = {}) {
  return server.as(as)("POST", "/api/2.0/lathe/tokens/create", params);
}

describe("access tokens", () => {
  it("creates a token shown once, which then authenticates as its user", async () => {
    const created = await createToken(bob, { name: "ci", expires_in_seconds: 3600 });
    expect(created.status).toBe(200);
    const secret = created.body.secret as string;
    expect(secret).toMatch(/^lathe_[\w-]{40,}$/);
    expect(created.body.token).toEqual({
      token_id: expect.any(String),
      name: "ci",
      username: "bob",
      creation_time: expect.any(Number),
      expiration_time: expect.any(Number),
    });
    const asToken = server.as({ token: secret });
    const model = await asToken("POST", "registered-models/create", { name: "token-model" });
    expect(model.status).toBe(200);
    // The registry records the authenticated user, not a hash of the token.
    expect((model.body.registered_model as { user_id?: string }).user_id).toBe("bob");
    const user = await asToken("GET", "users/get", { username: "bob" });
    expect((user.body.user as { registered_model_permissions: unknown[] }).registered_model_permissions).toEqual([
      { name: "token-model", user_id: expect.any(Number), permission: "MANAGE" },
    ]);

    const list = await server.as(bob)("GET", "/api/2.0/lathe/tokens/list");
    expect(list.body.tokens).toEqual([created.body.token]);
    expect(JSON.stringify(list.body)).not.toContain(secret);
  });

  it("refuses minting a token with a token, and for another user unless admin", async () => {
    const secret = (await createToken(bob)).body.secret as string;
    const takeover = await server.as({ token: secret })("PATCH", "users/update-password", {
      username: "bob",
      password: "taken-over-password",
    });
    expect(takeover.status).toBe(403);
    const minted = await createToken({ token: secret });
    expect(minted.status).toBe(403);
    expect(minted.body.message).toMatch(/HTTP Basic/);
    const forAlice = await createToken(bob, { username: "alice" });
    expect(forAlice.status).toBe(403);
    const byAdmin = await server.admin("POST", "/api/2.0/lathe/tokens/create", { username: "alice", name: "ops" });
    expect(byAdmin.status).toBe(200);
    expect((byAdmin.body.token as { username: string }).username).toBe("alice");
    const asAlice = server.as({ token: byAdmin.body.secret as string });
    expect((await asAlice("GET", "users/get", { username: "alice" })).status).toBe(200);
    for (const expires of [0, -5, 10 * 366 * 24 * 3600]) {
      const bad = await createToken(bob, { expires_in_seconds: expires });
      expect(bad.status).toBe(400);
      expect(bad.body.message).toMatch(/expires_in_seconds/);
    }
  });

  it("revokes a token: it stops working, and only its owner or an admin can revoke it", async () => {
    const created = await createToken(bob, { name: "short-lived" });
    const secret = created.body.secret as string;
    const id = (created.body.token as { token_id: string }).token_id;
    expect((await server.as({ token: secret })("GET", "experiments/search")).status).toBe(200);
    const byAlice = await server.as(alice)("POST", "/api/2.0/lathe/tokens/revoke", { token_id: id });
    expect(byAlice.status).toBe(404);
    expect((await server.as(bob)("POST", "/api/2.0/lathe/tokens/revoke", { token_id: id })).body).toEqual({});
    const after = await server.as({ token: secret })("GET", "experiments/search");
    expect(after.status).toBe(401);
    expect(after.headers.get("www-authenticate")).toBe('Basic realm="lathe"');
    const listed = (await server.as(bob)("GET", "/api/2.0/lathe/tokens/list")).body.tokens as {
      token_id: string;
      revoked_time?: number;
    }[];
    expect(listed.find((token) => token.token_id === id)?.revoked_time).toEqual(expect.any(Number));
    expect((await server.as({ token: "lathe_not-a-real-token" })("GET", "experiments/search")).status).toBe(401);
  });

  it("refuses an expired token, naming it and what to do", async () => {
    const created = await createToken(bob, { name: "expiring", expires_in_seconds: 3600 });
    const id = (created.body.token as { token_id: string }).token_id;
    // Move its expiry into the past in the database itself, as the passing of time would.
    const update = "update auth_tokens set expiration_time = $1 where token_id = $2";
    if (server.storeUri.startsWith("sqlite:")) {
      const db = new Database(sqlitePathFromUri(server.storeUri));
      try {
        db.prepare(update.replace("$1", "?").replace("$2", "?")).run(Date.now() - 1000, id);
      } finally {
        db.close();
      }
    } else {
      const client = new pg.Client({ connectionString: server.storeUri });
      await client.connect();
      try {
        await client.query(update, [Date.now() - 1000, id]);
      } finally {
        await client.end();
      }
    }
    const answer = await server.as({ token: created.body.secret as string })("GET", "experiments/search");
    expect(answer.status).toBe(401);
    expect(answer.body.message).toMatch(/'expiring'.*expired.*lathe token create/);
  });
});

describe("audit log", () => {
  it("records every mutating request with user, target, address and status, and no reads", async () => {
    const asBob = server.as(bob);
    const experiment = await asBob("POST", "experiments/create", { name: "audited" });
    const id = experiment.body.experiment_id as string;
    await asBob("GET", "experiments/get", { experiment_id: id });
    await server.as(alice)("POST", "experiments/update", { experiment_id: id, new_name: "hijacked" });
    // A search sent as POST is a read: not audited.
    await asBob("POST", "experiments/search", { filter: "name = 'audited'" });
    await server.as(undefined)("POST", "experiments/delete", { experiment_id: id });
    await server.as({ username: "bob", password: "wrong-password-x" })("POST", "runs/create", {});

    const page = await server.admin("GET", "/api/2.0/lathe/audit-log", { max_results: 4 });
    expect(page.status).toBe(200);
    const events = page.body.events as Record<string, unknown>[];
    expect(events.map((event) => [event.username, event.method, event.path, event.target, event.status])).toEqual([
      [undefined, "POST", "/api/2.0/mlflow/runs/create", undefined, 401],
      [undefined, "POST", "/api/2.0/mlflow/experiments/delete", undefined, 401],
      ["alice", "POST", "/api/2.0/mlflow/experiments/update", `experiment_id=${id}`, 403],
      ["bob", "POST", "/api/2.0/mlflow/experiments/create", `experiment_id=${id}`, 200],
    ]);
    for (const event of events) {
      expect(event.remote_address).toBe("127.0.0.1");
      expect(event.timestamp).toEqual(expect.any(Number));
    }
    expect(JSON.stringify(events)).not.toContain("experiments/get");
    expect(JSON.stringify(events)).not.toContain("experiments/search");

    // Pages go back in time with next_page_token.
    const next = await server.admin("GET", "/api/2.0/lathe/audit-log", {
      max_results: 4,
      page_token: page.body.next_page_token,
    });
    const older = next.body.events as { event_id: number }[];
    expect(older.length).toBeGreaterThan(0);
    expect(Math.max(...older.map((event) => event.event_id))).toBeLessThan(
      Math.min(...events.map((event) => event.event_id as number)),
    );
  });

  it("is for admins only and refuses bad paging", async () => {
    expect((await server.as(bob)("GET", "/api/2.0/lathe/audit-log")).status).toBe(403);
    expect((await server.admin("GET", "/api/2.0/lathe/audit-log", { max_results: 0 })).status).toBe(400);
    expect((await server.admin("GET", "/api/2.0/lathe/audit-log", { page_token: "abc" })).status).toBe(400);
  });
});
