/**
 * The flow of MLflow's `AuthServiceClient` (`mlflow.server.get_app_client("basic-auth")`), replayed
 * with its methods, bodies as Python's `requests` sends them (JSON with ", " / ": " separators) and
 * GET query parameters, checking every field its `User.from_json`, `ExperimentPermission.from_json`
 * and `RegisteredModelPermission.from_json` read.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toQuery } from "../helpers/server.js";
import { ADMIN, type AuthTestServer, authorization, startAuthServer } from "./helpers.js";

let server: AuthTestServer;

function pythonJson(value: Record<string, unknown>): string {
  return `{${Object.entries(value)
    .map(([key, item]) => `${JSON.stringify(key)}: ${JSON.stringify(item)}`)
    .join(", ")}}`;
}

/** What `http_request_safe(host_creds, endpoint, method, json=... | params=...)` sends. */
async function call(
  method: string,
  endpoint: string,
  payload: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const headers: Record<string, string> = {
    authorization: authorization(ADMIN)!,
    "user-agent": "mlflow-python-client/2.12.2",
  };
  const url = `${server.url}${endpoint}`;
  const response =
    method === "GET"
      ? await fetch(`${url}${toQuery(payload)}`, { headers })
      : await fetch(url, {
          method,
          headers: { ...headers, "content-type": "application/json" },
          body: pythonJson(payload),
        });
  expect(response.status, `${method} ${endpoint}`).toBe(200);
  const body = (await response.json()) as Record<string, unknown>;
  expect(typeof body).toBe("object");
  return body;
}

/** The fields `User.from_json` reads. */
function expectUser(json: unknown): void {
  expect(json).toEqual({
    id: expect.any(Number),
    username: expect.any(String),
    is_admin: expect.any(Boolean),
    experiment_permissions: expect.any(Array),
    registered_model_permissions: expect.any(Array),
  });
}

beforeAll(async () => {
  server = await startAuthServer();
});

afterAll(async () => {
  await server.close();
});

describe("AuthServiceClient flow", () => {
  it("runs create_user → get_user → update_user_password → update_user_admin → permissions → delete_user", async () => {
    const created = await call("POST", "/api/2.0/mlflow/users/create", {
      username: "newuser",
      password: "newpassword-12",
    });
    expectUser(created.user);
    expectUser((await call("GET", "/api/2.0/mlflow/users/get", { username: "newuser" })).user);
    expect(
      await call("PATCH", "/api/2.0/mlflow/users/update-password", {
        username: "newuser",
        password: "anotherpassword",
      }),
    ).toEqual({});
    expect(await call("PATCH", "/api/2.0/mlflow/users/update-admin", { username: "newuser", is_admin: true })).toEqual(
      {},
    );

    // "Does not require experiment_id to be an existing experiment", as MLflow's docstring says.
    const experimentPermission = await call("POST", "/api/2.0/mlflow/experiments/permissions/create", {
      experiment_id: "myexperiment",
      username: "newuser",
      permission: "READ",
    });
    expect(experimentPermission).toEqual({
      experiment_permission: { experiment_id: "myexperiment", user_id: expect.any(Number), permission: "READ" },
    });
    expect(
      await call("GET", "/api/2.0/mlflow/experiments/permissions/get", {
        experiment_id: "myexperiment",
        username: "newuser",
      }),
    ).toEqual(experimentPermission);
    expect(
      await call("PATCH", "/api/2.0/mlflow/experiments/permissions/update", {
        experiment_id: "myexperiment",
        username: "newuser",
        permission: "EDIT",
      }),
    ).toEqual({});
    expect(
      await call("DELETE", "/api/2.0/mlflow/experiments/permissions/delete", {
        experiment_id: "myexperiment",
        username: "newuser",
      }),
    ).toEqual({});

    const modelPermission = await call("POST", "/api/2.0/mlflow/registered-models/permissions/create", {
      name: "myregisteredmodel",
      username: "newuser",
      permission: "MANAGE",
    });
    expect(modelPermission).toEqual({
      registered_model_permission: { name: "myregisteredmodel", user_id: expect.any(Number), permission: "MANAGE" },
    });
    expect(
      await call("GET", "/api/2.0/mlflow/registered-models/permissions/get", {
        name: "myregisteredmodel",
        username: "newuser",
      }),
    ).toEqual(modelPermission);
    const user = (await call("GET", "/api/2.0/mlflow/users/get", { username: "newuser" })).user as Record<
      string,
      unknown
    >;
    expectUser(user);
    expect(user.is_admin).toBe(true);
    expect(user.registered_model_permissions).toEqual([modelPermission.registered_model_permission]);
    expect(
      await call("PATCH", "/api/2.0/mlflow/registered-models/permissions/update", {
        name: "myregisteredmodel",
        username: "newuser",
        permission: "READ",
      }),
    ).toEqual({});
    expect(
      await call("DELETE", "/api/2.0/mlflow/registered-models/permissions/delete", {
        name: "myregisteredmodel",
        username: "newuser",
      }),
    ).toEqual({});
    expect(await call("DELETE", "/api/2.0/mlflow/users/delete", { username: "newuser" })).toEqual({});
  });
});
