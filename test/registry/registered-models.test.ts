/**
 * Contract tests for the registered model endpoints (reference/mlflow.md §2.5, §5) through a real
 * `lathe server` on loopback: MLflow's methods, response shapes, error codes and statuses.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/server.js";
import {
  basicAuth,
  createModel,
  createRun,
  getModel,
  getVersion,
  type ModelVersionJson,
  okAs,
  type RegisteredModelJson,
} from "./helpers.js";

let server: TestServer;
let runId: string;

beforeAll(async () => {
  server = await startTestServer();
  runId = (await createRun(server)).runId;
});

afterAll(async () => {
  await server.close();
});

const invalid = (method: string, path: string, params: Record<string, unknown>) =>
  server.fails(method, path, params, 400, "INVALID_PARAMETER_VALUE");
const missing = (method: string, path: string, params: Record<string, unknown>) =>
  server.fails(method, path, params, 404, "RESOURCE_DOES_NOT_EXIST");

describe("registered-models/create and get", () => {
  it("creates a model in MLflow's shape: description and tags, no empty lists, no user when anonymous", async () => {
    const body = await server.ok("POST", "registered-models/create", {
      name: "create-shape",
      tags: [
        { key: "task", value: "old" },
        { key: "task", value: "classification" },
      ],
      description: "iris classifier",
    });
    const model = body.registered_model as RegisteredModelJson;
    expect(Object.keys(model)).toEqual(["name", "creation_timestamp", "last_updated_timestamp", "description", "tags"]);
    expect(model).toMatchObject({ name: "create-shape", description: "iris classifier" });
    expect(model.tags).toEqual([{ key: "task", value: "classification" }]);
    expect(model.creation_timestamp).toBe(model.last_updated_timestamp);
    expect(await getModel(server, "create-shape")).toEqual(model);
  });

  it("defaults the description to '' and records the Basic-auth user as user_id", async () => {
    const body = await okAs(server, basicAuth("alice"), "POST", "registered-models/create", { name: "with-user" });
    expect(body.registered_model).toMatchObject({ name: "with-user", description: "", user_id: "alice" });
  });

  it("refuses a duplicate name with RESOURCE_ALREADY_EXISTS (400)", async () => {
    await server.ok("POST", "registered-models/create", { name: "dup" });
    const message = await server.fails(
      "POST",
      "registered-models/create",
      { name: "dup" },
      400,
      "RESOURCE_ALREADY_EXISTS",
    );
    expect(message).toMatch(/^Registered Model \(name=dup\) already exists/);
  });

  it("refuses missing, over-long and %-encoded names and bad tags", async () => {
    expect(await invalid("POST", "registered-models/create", {})).toBe("Missing value for required parameter 'name'.");
    expect(await invalid("POST", "registered-models/create", { name: "x".repeat(300) })).toMatch(/length limit of 256/);
    expect(await invalid("POST", "registered-models/create", { name: "%69ris" })).toMatch(/may not contain '%'/);
    await invalid("POST", "registered-models/create", { name: "tagged", tags: [{ key: "../up", value: "x" }] });
    await invalid("POST", "registered-models/create", {
      name: "tagged",
      tags: [{ key: "k", value: "v".repeat(5001) }],
    });
    await missing("GET", "registered-models/get", { name: "tagged" });
  });

  it("answers an unknown model with 404 RESOURCE_DOES_NOT_EXIST", async () => {
    expect(await missing("GET", "registered-models/get", { name: "nope" })).toBe(
      "Registered Model with name=nope not found",
    );
    await invalid("GET", "registered-models/get", {});
  });

  it("lists the latest version per stage and the aliases", async () => {
    await createModel(server, "latest", 4, runId);
    await server.ok("POST", "model-versions/transition-stage", { name: "latest", version: "1", stage: "Production" });
    await server.ok("POST", "model-versions/transition-stage", { name: "latest", version: "2", stage: "Staging" });
    await server.ok("POST", "registered-models/alias", { name: "latest", alias: "champion", version: "1" });
    const model = await getModel(server, "latest");
    expect(model.latest_versions?.map((v) => [v.version, v.current_stage])).toEqual([
      ["1", "Production"],
      ["2", "Staging"],
      ["4", "None"],
    ]);
    // As in MLflow, latest_versions carry no aliases; the model lists them.
    expect(model.latest_versions?.every((v) => v.aliases === undefined)).toBe(true);
    expect(model.aliases).toEqual([{ alias: "champion", version: "1" }]);
  });

  it("is mounted under /ajax-api too", async () => {
    const response = await fetch(`${server.url}/ajax-api/2.0/mlflow/registered-models/get?name=latest`);
    expect(response.status).toBe(200);
  });
});

describe("registered-models/update, rename and delete", () => {
  it("updates the description with PATCH and bumps last_updated_timestamp", async () => {
    await server.ok("POST", "registered-models/create", { name: "upd", description: "a" });
    const before = await getModel(server, "upd");
    await new Promise((done) => setTimeout(done, 5));
    const body = await server.ok("PATCH", "registered-models/update", { name: "upd", description: "b" });
    const model = body.registered_model as RegisteredModelJson;
    expect(model.description).toBe("b");
    expect(model.last_updated_timestamp).toBeGreaterThan(before.last_updated_timestamp);
    await missing("PATCH", "registered-models/update", { name: "nope", description: "x" });
    expect((await server.call("POST", "registered-models/update", { name: "upd" })).status).toBe(404);
  });

  it("renames the model with its versions, tags and aliases", async () => {
    await createModel(server, "old-name", 2, runId);
    await server.ok("POST", "registered-models/set-tag", { name: "old-name", key: "team", value: "ml" });
    await server.ok("POST", "model-versions/set-tag", { name: "old-name", version: "2", key: "ok", value: "yes" });
    await server.ok("POST", "registered-models/alias", { name: "old-name", alias: "prod", version: "2" });
    const body = await server.ok("POST", "registered-models/rename", { name: "old-name", new_name: "new-name" });
    const model = body.registered_model as RegisteredModelJson;
    expect(model.name).toBe("new-name");
    expect(model.latest_versions?.every((v) => v.name === "new-name")).toBe(true);
    expect(model.tags).toEqual([{ key: "team", value: "ml" }]);
    expect(model.aliases).toEqual([{ alias: "prod", version: "2" }]);
    expect(await getVersion(server, "new-name", "2")).toMatchObject({
      tags: [{ key: "ok", value: "yes" }],
      aliases: ["prod"],
    });
    await missing("GET", "registered-models/get", { name: "old-name" });
    await missing("GET", "model-versions/get", { name: "old-name", version: "1" });
    const next = await server.ok("POST", "model-versions/create", { name: "new-name", source: "s3://b/m" });
    expect((next.model_version as ModelVersionJson).version).toBe("3");
  });

  it("refuses a rename onto an existing name, of an unknown model, or to no name", async () => {
    await server.ok("POST", "registered-models/create", { name: "taken-a" });
    await server.ok("POST", "registered-models/create", { name: "taken-b" });
    await server.fails(
      "POST",
      "registered-models/rename",
      { name: "taken-a", new_name: "taken-b" },
      400,
      "RESOURCE_ALREADY_EXISTS",
    );
    await missing("POST", "registered-models/rename", { name: "nope", new_name: "x" });
    await invalid("POST", "registered-models/rename", { name: "taken-a" });
  });

  it("deletes with a JSON body on DELETE: versions go too, and the name starts again at version 1", async () => {
    await createModel(server, "doomed", 3, runId);
    await server.ok("DELETE", "registered-models/delete", { name: "doomed" });
    await missing("GET", "registered-models/get", { name: "doomed" });
    await missing("GET", "model-versions/get", { name: "doomed", version: "1" });
    await missing("DELETE", "registered-models/delete", { name: "doomed" });
    const [first] = await createModel(server, "doomed", 1, runId);
    expect(first?.version).toBe("1");
  });
});

describe("registered-models/set-tag and delete-tag", () => {
  it("upserts a tag and deletes it with DELETE; deleting a missing tag is a no-op", async () => {
    await server.ok("POST", "registered-models/create", { name: "tags" });
    await server.ok("POST", "registered-models/set-tag", { name: "tags", key: "owner", value: "bob" });
    await server.ok("POST", "registered-models/set-tag", { name: "tags", key: "owner", value: "eve" });
    expect((await getModel(server, "tags")).tags).toEqual([{ key: "owner", value: "eve" }]);
    await server.ok("DELETE", "registered-models/delete-tag", { name: "tags", key: "owner" });
    await server.ok("DELETE", "registered-models/delete-tag", { name: "tags", key: "owner" });
    expect((await getModel(server, "tags")).tags).toBeUndefined();
  });

  it("404s on an unknown model and 400s on a bad key", async () => {
    await missing("POST", "registered-models/set-tag", { name: "nope", key: "k", value: "v" });
    await missing("DELETE", "registered-models/delete-tag", { name: "nope", key: "k" });
    await invalid("POST", "registered-models/set-tag", { name: "tags", key: "/abs", value: "v" });
    await invalid("POST", "registered-models/set-tag", { name: "tags", value: "v" });
  });
});

describe("registered-models/get-latest-versions", () => {
  beforeAll(async () => {
    await createModel(server, "glv", 5, runId);
    await server.ok("POST", "model-versions/transition-stage", { name: "glv", version: "1", stage: "Production" });
    await server.ok("POST", "model-versions/transition-stage", { name: "glv", version: "3", stage: "Production" });
    await server.ok("POST", "model-versions/transition-stage", { name: "glv", version: "2", stage: "Archived" });
    await server.ok("POST", "registered-models/alias", { name: "glv", alias: "champion", version: "3" });
  });

  const versions = (body: Record<string, unknown>) =>
    ((body.model_versions ?? []) as ModelVersionJson[]).map((v) => `${v.version}:${v.current_stage}`);

  it("answers POST with the highest version per requested stage, in any case, with aliases", async () => {
    const body = await server.ok("POST", "registered-models/get-latest-versions", {
      name: "glv",
      stages: ["production", "ARCHIVED"],
    });
    expect(versions(body).sort()).toEqual(["2:Archived", "3:Production"]);
    const production = (body.model_versions as ModelVersionJson[]).find((v) => v.version === "3");
    expect(production?.aliases).toEqual(["champion"]);
  });

  it("answers GET with repeated stages, and every stage when none are given", async () => {
    expect(
      versions(await server.ok("GET", "registered-models/get-latest-versions", { name: "glv", stages: ["None"] })),
    ).toEqual(["5:None"]);
    expect(versions(await server.ok("GET", "registered-models/get-latest-versions", { name: "glv" })).sort()).toEqual([
      "2:Archived",
      "3:Production",
      "5:None",
    ]);
  });

  it("omits the list when no version is in the stage, and refuses unknown stages and models", async () => {
    expect(
      await server.ok("POST", "registered-models/get-latest-versions", { name: "glv", stages: ["Staging"] }),
    ).toEqual({});
    expect(
      await invalid("POST", "registered-models/get-latest-versions", { name: "glv", stages: ["Shipping"] }),
    ).toMatch(/^Invalid Model Version stage: Shipping/);
    await missing("POST", "registered-models/get-latest-versions", { name: "nope" });
  });
});

describe("registered-models/alias", () => {
  beforeAll(async () => {
    await createModel(server, "aliased", 2, runId);
  });

  it("sets, reads (with the version's aliases) and deletes an alias", async () => {
    expect(
      await server.ok("POST", "registered-models/alias", { name: "aliased", alias: "champion", version: "2" }),
    ).toEqual({});
    const version = (await server.ok("GET", "registered-models/alias", { name: "aliased", alias: "champion" }))
      .model_version as ModelVersionJson;
    expect(version).toMatchObject({ name: "aliased", version: "2", aliases: ["champion"] });
    await server.ok("DELETE", "registered-models/alias", { name: "aliased", alias: "champion" });
    await server.ok("DELETE", "registered-models/alias", { name: "aliased", alias: "champion" });
  });

  it("answers an unknown alias with MLflow's 400, not a 404", async () => {
    expect(await invalid("GET", "registered-models/alias", { name: "aliased", alias: "nope" })).toBe(
      "Registered model alias nope not found.",
    );
    expect(await invalid("GET", "registered-models/alias", { name: "no-model", alias: "nope" })).toBe(
      "Registered model alias nope not found.",
    );
  });

  it("404s on an unknown version or model, as MLflow words it", async () => {
    expect(await missing("POST", "registered-models/alias", { name: "aliased", alias: "x", version: "99" })).toBe(
      "Model Version (name=aliased, version=99) not found",
    );
    await missing("POST", "registered-models/alias", { name: "no-model", alias: "x", version: "1" });
    await missing("DELETE", "registered-models/alias", { name: "no-model", alias: "x" });
  });

  it.each(["latest", "LATEST", "v1", "V7", "bad alias", ""])("refuses the alias %j", async (alias) => {
    await invalid("POST", "registered-models/alias", { name: "aliased", alias, version: "1" });
  });

  it("refuses a version that is not a number", async () => {
    expect(await invalid("POST", "registered-models/alias", { name: "aliased", alias: "a", version: "two" })).toBe(
      "Model version must be an integer, got 'two'",
    );
  });
});

describe("OpenAPI", () => {
  it("documents every method of a shared path and the history extension", async () => {
    const document = (await (await fetch(`${server.url}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { summary: string }>>;
    };
    expect(Object.keys(document.paths["/api/2.0/mlflow/registered-models/alias"] ?? {}).sort()).toEqual([
      "delete",
      "get",
      "post",
    ]);
    expect(document.paths["/api/2.0/mlflow/registry/history"]?.get?.summary).toMatch(/Lathe extension/);
    expect(Object.keys(document.paths["/api/2.0/mlflow/registered-models/get-latest-versions"] ?? {}).sort()).toEqual([
      "get",
      "post",
    ]);
  });
});
