/**
 * MLflow's auth REST API through a real server: users and experiment / registered model
 * permissions with MLflow's methods, fields and answers (what `AuthServiceClient` sends and reads),
 * who may call what, the creator's MANAGE, the default permission, and the first admin.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer } from "../helpers/server.js";
import { ADMIN, type AuthTestServer, startAuthServer } from "./helpers.js";

let server: AuthTestServer;

beforeAll(async () => {
  server = await startAuthServer();
});

afterAll(async () => {
  await server.close();
});

describe("users", () => {
  it("creates, gets, updates and deletes a user with MLflow's shapes", async () => {
    const created = await server.admin("POST", "users/create", { username: "carol", password: "carol-password-1" });
    expect(created.status).toBe(200);
    expect(created.body).toEqual({
      user: {
        id: expect.any(Number),
        username: "carol",
        is_admin: false,
        experiment_permissions: [],
        registered_model_permissions: [],
      },
    });
    const carol = { username: "carol", password: "carol-password-1" };
    const experiment = await server.as(carol)("POST", "experiments/create", { name: "carol-exp" });
    expect(experiment.status).toBe(200);
    const got = await server.admin("GET", "users/get", { username: "carol" });
    expect(got.body).toEqual({
      user: {
        id: (created.body.user as { id: number }).id,
        username: "carol",
        is_admin: false,
        experiment_permissions: [
          {
            experiment_id: experiment.body.experiment_id,
            user_id: (created.body.user as { id: number }).id,
            permission: "MANAGE",
          },
        ],
        registered_model_permissions: [],
      },
    });
    expect(JSON.stringify(got.body)).not.toContain("password");

    expect(
      (await server.admin("PATCH", "users/update-password", { username: "carol", password: "carol-new-password" }))
        .body,
    ).toEqual({});
    expect((await server.as(carol)("GET", "users/get", { username: "carol" })).status).toBe(401);
    const renewed = { username: "carol", password: "carol-new-password" };
    expect((await server.as(renewed)("GET", "users/get", { username: "carol" })).status).toBe(200);

    expect((await server.admin("PATCH", "users/update-admin", { username: "carol", is_admin: true })).body).toEqual({});
    expect(
      ((await server.as(renewed)("GET", "users/get", { username: "carol" })).body.user as { is_admin: boolean })
        .is_admin,
    ).toBe(true);

    expect((await server.admin("DELETE", "users/delete", { username: "carol" })).body).toEqual({});
    const gone = await server.admin("GET", "users/get", { username: "carol" });
    expect(gone.status).toBe(404);
    expect(gone.body.error_code).toBe("RESOURCE_DOES_NOT_EXIST");
  });

  it("lets a user read and change only their own user; only admins create, promote or delete", async () => {
    const dave = await server.createUser("dave");
    const erin = await server.createUser("erin");
    const asDave = server.as(dave);
    expect((await asDave("GET", "users/get", { username: "dave" })).status).toBe(200);
    expect((await asDave("GET", "users/get", { username: "erin" })).status).toBe(403);
    expect(
      (await asDave("PATCH", "users/update-password", { username: "erin", password: "stolen-password-1" })).status,
    ).toBe(403);
    expect(
      (await asDave("PATCH", "users/update-password", { username: "dave", password: "dave-password-two" })).status,
    ).toBe(200);
    // The change ends the old password at once on this server.
    expect((await asDave("GET", "users/get", { username: "dave" })).status).toBe(401);
    const dave2 = server.as({ username: "dave", password: "dave-password-two" });
    expect((await dave2("POST", "users/create", { username: "mallory", password: "mallory-password" })).status).toBe(
      403,
    );
    expect((await dave2("PATCH", "users/update-admin", { username: "dave", is_admin: true })).status).toBe(403);
    expect((await dave2("DELETE", "users/delete", { username: "erin" })).status).toBe(403);
    expect((await server.as(erin)("GET", "users/get", { username: "erin" })).status).toBe(200);
  });

  it("refuses passwords under 12 characters, duplicate and malformed usernames, and non-JSON bodies", async () => {
    for (const password of ["", "x", "elevenchars"]) {
      const answer = await server.admin("POST", "users/create", { username: "shorty", password });
      expect(answer.status).toBe(400);
      expect(answer.body.error_code).toBe("INVALID_PARAMETER_VALUE");
      expect(answer.body.message).toMatch(/at least 12 characters/);
    }
    await server.createUser("twice");
    const again = await server.admin("POST", "users/create", { username: "twice", password: "another-password" });
    expect(again.status).toBe(400);
    expect(again.body.error_code).toBe("RESOURCE_ALREADY_EXISTS");
    for (const username of ["a:b", "tab\there", " padded"]) {
      const answer = await server.admin("POST", "users/create", { username, password: "long-enough-pass" });
      expect(answer.status, username).toBe(400);
      expect(answer.body.message).toMatch(/Invalid username/);
    }
    // A cross-site form post (CVE-2025-1473's shape) is not JSON and creates nothing.
    const form = await server.as(ADMIN)(
      "POST",
      "users/create",
      {},
      { "content-type": "application/x-www-form-urlencoded" },
    );
    expect(form.status).toBe(400);
    const short = await server.admin("PATCH", "users/update-password", { username: "twice", password: "short" });
    expect(short.status).toBe(400);
  });

  it("keeps the server's last admin: an admin cannot demote or delete themself", async () => {
    expect(
      (await server.admin("PATCH", "users/update-admin", { username: ADMIN.username, is_admin: false })).status,
    ).toBe(400);
    expect((await server.admin("DELETE", "users/delete", { username: ADMIN.username })).status).toBe(400);
  });
});

describe("permissions", () => {
  it("creates, gets, updates and deletes experiment permissions with MLflow's shapes; MANAGE is needed", async () => {
    const owner = await server.createUser("owner");
    const reader = await server.createUser("reader");
    const asOwner = server.as(owner);
    const id = (await asOwner("POST", "experiments/create", { name: "owned" })).body.experiment_id as string;
    const readerId = ((await server.admin("GET", "users/get", { username: "reader" })).body.user as { id: number }).id;

    const created = await asOwner("POST", "experiments/permissions/create", {
      experiment_id: id,
      username: "reader",
      permission: "EDIT",
    });
    expect(created.body).toEqual({
      experiment_permission: { experiment_id: id, user_id: readerId, permission: "EDIT" },
    });
    const duplicate = await asOwner("POST", "experiments/permissions/create", {
      experiment_id: id,
      username: "reader",
      permission: "READ",
    });
    expect(duplicate.status).toBe(400);
    expect(duplicate.body.error_code).toBe("RESOURCE_ALREADY_EXISTS");
    expect(
      (await asOwner("GET", "experiments/permissions/get", { experiment_id: id, username: "reader" })).body,
    ).toEqual({
      experiment_permission: { experiment_id: id, user_id: readerId, permission: "EDIT" },
    });
    expect(
      (await server.as(reader)("POST", "experiments/update", { experiment_id: id, new_name: "owned-2" })).status,
    ).toBe(200);
    // EDIT does not grant: permission CRUD needs MANAGE.
    const grantByEditor = await server.as(reader)("PATCH", "experiments/permissions/update", {
      experiment_id: id,
      username: "reader",
      permission: "MANAGE",
    });
    expect(grantByEditor.status).toBe(403);

    expect(
      (
        await asOwner("PATCH", "experiments/permissions/update", {
          experiment_id: id,
          username: "reader",
          permission: "NO_PERMISSIONS",
        })
      ).body,
    ).toEqual({});
    expect((await server.as(reader)("GET", "experiments/get", { experiment_id: id })).status).toBe(403);
    const bad = await asOwner("PATCH", "experiments/permissions/update", {
      experiment_id: id,
      username: "reader",
      permission: "OWNER",
    });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/NO_PERMISSIONS, READ, USE, EDIT, MANAGE/);

    expect(
      (await asOwner("DELETE", "experiments/permissions/delete", { experiment_id: id, username: "reader" })).body,
    ).toEqual({});
    const missing = await asOwner("GET", "experiments/permissions/get", { experiment_id: id, username: "reader" });
    expect(missing.status).toBe(404);
    // Back to the default (READ): reads again, cannot write.
    expect((await server.as(reader)("GET", "experiments/get", { experiment_id: id })).status).toBe(200);
    expect(
      (await server.as(reader)("POST", "experiments/update", { experiment_id: id, new_name: "owned-3" })).status,
    ).toBe(403);
    // "05" is experiment 5 to the store, so it is to the permission rows too.
    expect((await asOwner("GET", "experiments/get", { experiment_id: `0${id}` })).status).toBe(200);
  });

  it("creates, gets, updates and deletes registered model permissions; they follow a rename and go with a delete", async () => {
    const owner = await server.createUser("model-owner");
    const other = await server.createUser("model-other");
    const asOwner = server.as(owner);
    expect((await asOwner("POST", "registered-models/create", { name: "owned-model" })).status).toBe(200);
    const otherId = ((await server.admin("GET", "users/get", { username: "model-other" })).body.user as { id: number })
      .id;
    const created = await asOwner("POST", "registered-models/permissions/create", {
      name: "owned-model",
      username: "model-other",
      permission: "READ",
    });
    expect(created.body).toEqual({
      registered_model_permission: { name: "owned-model", user_id: otherId, permission: "READ" },
    });
    expect(
      (
        await asOwner("PATCH", "registered-models/permissions/update", {
          name: "owned-model",
          username: "model-other",
          permission: "EDIT",
        })
      ).body,
    ).toEqual({});
    expect(
      (await server.as(other)("PATCH", "registered-models/update", { name: "owned-model", description: "x" })).status,
    ).toBe(200);

    expect(
      (await asOwner("POST", "registered-models/rename", { name: "owned-model", new_name: "renamed-model" })).status,
    ).toBe(200);
    expect(
      (await asOwner("GET", "registered-models/permissions/get", { name: "renamed-model", username: "model-other" }))
        .body,
    ).toEqual({
      registered_model_permission: { name: "renamed-model", user_id: otherId, permission: "EDIT" },
    });
    expect((await asOwner("DELETE", "registered-models/delete", { name: "renamed-model" })).status).toBe(200);
    const ownerUser = (await server.admin("GET", "users/get", { username: "model-owner" })).body.user as {
      registered_model_permissions: unknown[];
    };
    expect(ownerUser.registered_model_permissions).toEqual([]);
    expect(
      (
        await server.admin("GET", "registered-models/permissions/get", {
          name: "renamed-model",
          username: "model-other",
        })
      ).status,
    ).toBe(404);
    expect(
      (
        await asOwner("DELETE", "registered-models/permissions/delete", {
          name: "renamed-model",
          username: "model-other",
        })
      ).status,
    ).toBe(403);
  });

  it("filters searches to readable items and refills pages past unreadable ones", async () => {
    const hider = await server.createUser("hider");
    const seeker = await server.createUser("seeker");
    const asHider = server.as(hider);
    const hidden: string[] = [];
    for (let i = 0; i < 5; i++) {
      const id = (await asHider("POST", "experiments/create", { name: `hidden-${i}` })).body.experiment_id as string;
      await asHider("POST", "experiments/permissions/create", {
        experiment_id: id,
        username: "seeker",
        permission: i % 2 === 0 ? "NO_PERMISSIONS" : "READ",
      });
      hidden.push(id);
    }
    const asSeeker = server.as(seeker);
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await asSeeker("POST", "experiments/search", {
        filter: "name LIKE 'hidden-%'",
        max_results: 1,
        ...(token ? { page_token: token } : {}),
      });
      expect(page.status).toBe(200);
      const experiments = (page.body.experiments as { experiment_id: string }[] | undefined) ?? [];
      expect(experiments.length).toBeLessThanOrEqual(1);
      seen.push(...experiments.map((e) => e.experiment_id));
      token = page.body.next_page_token as string | undefined;
      pages++;
    } while (token && pages < 20);
    expect(seen.sort()).toEqual([hidden[1], hidden[3]].sort());
  });
});

describe("the first admin", () => {
  it("refuses to start with --auth when there is no admin and none is configured, saying how to set one", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lathe-auth-"));
    try {
      await expect(
        startTestServer({ auth: true, backendStoreUri: `sqlite:///${join(dir, "db.sqlite")}` }),
      ).rejects.toThrow(/--auth-admin-username NAME --auth-admin-password PASSWORD .*LATHE_AUTH_ADMIN_USERNAME/);
      await expect(
        startTestServer({
          auth: true,
          backendStoreUri: `sqlite:///${join(dir, "db.sqlite")}`,
          authAdminUsername: "root",
          authAdminPassword: "short",
        }),
      ).rejects.toThrow(/at least 12 characters/);
      await expect(
        startTestServer({
          auth: true,
          backendStoreUri: `sqlite:///${join(dir, "db.sqlite")}`,
          authAdminPassword: "long-enough-pass",
        }),
      ).rejects.toThrow(/--auth-admin-username is not/);
      // Once an admin exists, the server starts without admin settings.
      const first = await startTestServer({
        auth: true,
        backendStoreUri: `sqlite:///${join(dir, "db.sqlite")}`,
        authAdminUsername: "root",
        authAdminPassword: "root-password-123",
      });
      await first.close();
      const again = await startTestServer({ auth: true, backendStoreUri: `sqlite:///${join(dir, "db.sqlite")}` });
      await again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
