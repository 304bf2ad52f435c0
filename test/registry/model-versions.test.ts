/**
 * Contract tests for the model version endpoints (reference/mlflow.md §2.6, §5) through a real
 * `lathe server` on loopback: numbering, stage transitions with archive_existing_versions, soft
 * delete and its redaction, download URIs, tags, and MLflow's error codes and statuses.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { basicAuth, createModel, createRun, getModel, getVersion, type ModelVersionJson, okAs } from "./helpers.js";

let server: TestServer;
let runId: string;
let artifactUri: string;

beforeAll(async () => {
  server = await startTestServer();
  ({ runId, artifactUri } = await createRun(server));
});

afterAll(async () => {
  await server.close();
});

const invalid = (method: string, path: string, params: Record<string, unknown>) =>
  server.fails(method, path, params, 400, "INVALID_PARAMETER_VALUE");
const missing = (method: string, path: string, params: Record<string, unknown>) =>
  server.fails(method, path, params, 404, "RESOURCE_DOES_NOT_EXIST");

async function create(params: Record<string, unknown>): Promise<ModelVersionJson> {
  return (await server.ok("POST", "model-versions/create", params)).model_version as ModelVersionJson;
}

async function stages(name: string): Promise<string[]> {
  const body = await server.ok("GET", "model-versions/search", {
    filter: `name = '${name}'`,
    order_by: ["version_number"],
  });
  return ((body.model_versions ?? []) as ModelVersionJson[]).map((v) => `${v.version}:${v.current_stage}`);
}

describe("model-versions/create", () => {
  it("returns the version in MLflow's shape: version a string, READY, stage None, proto defaults as ''", async () => {
    await server.ok("POST", "registered-models/create", { name: "shape" });
    const version = await create({
      name: "shape",
      source: `runs:/${runId}/model`,
      run_id: runId,
      tags: [{ key: "algo", value: "logreg" }],
      description: "v1",
    });
    expect(Object.keys(version)).toEqual([
      "name",
      "version",
      "creation_timestamp",
      "last_updated_timestamp",
      "current_stage",
      "description",
      "source",
      "run_id",
      "status",
      "tags",
      "run_link",
    ]);
    expect(version).toMatchObject({
      name: "shape",
      version: "1",
      current_stage: "None",
      description: "v1",
      source: `runs:/${runId}/model`,
      run_id: runId,
      status: "READY",
      tags: [{ key: "algo", value: "logreg" }],
      run_link: "",
    });
    const second = await create({ name: "shape", source: "s3://bucket/model" });
    expect(second).toMatchObject({ version: "2", description: "", run_id: "", run_link: "" });
    expect(second.tags).toBeUndefined();
    expect((await getModel(server, "shape")).last_updated_timestamp).toBe(second.creation_timestamp);
  });

  it("records the Basic-auth user as user_id", async () => {
    await server.ok("POST", "registered-models/create", { name: "by-user" });
    const body = await okAs(server, basicAuth("carol"), "POST", "model-versions/create", {
      name: "by-user",
      source: "s3://b/m",
    });
    expect(body.model_version).toMatchObject({ user_id: "carol" });
  });

  it("404s for an unknown model or for the run of a runs:/ source, and 400s on missing fields", async () => {
    expect(await missing("POST", "model-versions/create", { name: "nope", source: "s3://b/m" })).toBe(
      "Registered Model with name=nope not found",
    );
    expect(
      await missing("POST", "model-versions/create", { name: "shape", source: `runs:/${"f".repeat(32)}/m` }),
    ).toMatch(/^Run with id=f+ not found/);
    expect(await invalid("POST", "model-versions/create", { name: "shape" })).toBe(
      "Missing value for required parameter 'source'.",
    );
    await invalid("POST", "model-versions/create", { source: "s3://b/m" });
    await invalid("POST", "model-versions/create", { name: "shape", source: "s3://b/m", tags: [{ key: "a//b" }] });
  });
});

describe("model-versions/get, update, set-tag and delete-tag", () => {
  beforeAll(async () => {
    await createModel(server, "crud", 2, runId);
  });

  it("gets a version, with its aliases", async () => {
    await server.ok("POST", "registered-models/alias", { name: "crud", alias: "best", version: "1" });
    expect(await getVersion(server, "crud", "1")).toMatchObject({ version: "1", aliases: ["best"] });
    expect((await getVersion(server, "crud", "2")).aliases).toBeUndefined();
  });

  it("404s on an unknown version with MLflow's message, 400s on a non-number", async () => {
    expect(await missing("GET", "model-versions/get", { name: "crud", version: "99" })).toBe(
      "Model Version (name=crud, version=99) not found",
    );
    expect(await invalid("GET", "model-versions/get", { name: "crud", version: "1.5" })).toBe(
      "Model version must be an integer, got '1.5'",
    );
    await invalid("GET", "model-versions/get", { name: "crud" });
  });

  it("updates the description with PATCH; leaving it out clears it", async () => {
    const body = await server.ok("PATCH", "model-versions/update", {
      name: "crud",
      version: "2",
      description: "better",
    });
    expect(body.model_version).toMatchObject({ version: "2", description: "better" });
    const cleared = (await server.ok("PATCH", "model-versions/update", { name: "crud", version: "2" }))
      .model_version as ModelVersionJson;
    expect(cleared.description).toBeUndefined();
    await missing("PATCH", "model-versions/update", { name: "crud", version: "42", description: "x" });
  });

  it("sets and deletes tags; deleting a missing tag is a no-op", async () => {
    await server.ok("POST", "model-versions/set-tag", { name: "crud", version: "1", key: "validated", value: "true" });
    await server.ok("POST", "model-versions/set-tag", { name: "crud", version: "1", key: "validated", value: "false" });
    expect((await getVersion(server, "crud", "1")).tags).toEqual([{ key: "validated", value: "false" }]);
    await server.ok("DELETE", "model-versions/delete-tag", { name: "crud", version: "1", key: "validated" });
    await server.ok("DELETE", "model-versions/delete-tag", { name: "crud", version: "1", key: "validated" });
    expect((await getVersion(server, "crud", "1")).tags).toBeUndefined();
    await missing("POST", "model-versions/set-tag", { name: "crud", version: "9", key: "k", value: "v" });
    await missing("DELETE", "model-versions/delete-tag", { name: "crud", version: "9", key: "k" });
    await invalid("POST", "model-versions/set-tag", { name: "crud", version: "1", key: "k", value: "v".repeat(5001) });
  });
});

describe("model-versions/transition-stage", () => {
  beforeAll(async () => {
    await createModel(server, "stages", 4, runId);
  });

  it("moves a version to a stage given in any case", async () => {
    const body = await server.ok("POST", "model-versions/transition-stage", {
      name: "stages",
      version: "1",
      stage: "production",
      archive_existing_versions: false,
    });
    expect(body.model_version).toMatchObject({ version: "1", current_stage: "Production" });
    await server.ok("POST", "model-versions/transition-stage", { name: "stages", version: "2", stage: "STAGING" });
    expect(await stages("stages")).toEqual(["1:Production", "2:Staging", "3:None", "4:None"]);
  });

  it("archives the other versions in the target stage with archive_existing_versions, and only those", async () => {
    await server.ok("POST", "model-versions/transition-stage", { name: "stages", version: "3", stage: "Production" });
    const body = await server.ok("POST", "model-versions/transition-stage", {
      name: "stages",
      version: "4",
      stage: "Production",
      archive_existing_versions: true,
    });
    const moved = body.model_version as ModelVersionJson;
    expect(await stages("stages")).toEqual(["1:Archived", "2:Staging", "3:Archived", "4:Production"]);
    const archived = await getVersion(server, "stages", "1");
    expect(archived.last_updated_timestamp).toBe(moved.last_updated_timestamp);
    expect((await getModel(server, "stages")).last_updated_timestamp).toBe(moved.last_updated_timestamp);
  });

  it("refuses archive_existing_versions unless the target is Staging or Production", async () => {
    for (const stage of ["Archived", "None"]) {
      expect(
        await invalid("POST", "model-versions/transition-stage", {
          name: "stages",
          version: "2",
          stage,
          archive_existing_versions: true,
        }),
      ).toMatch(/cannot archive existing model versions because '.*' is not an Active stage/);
    }
    expect(await stages("stages")).toEqual(["1:Archived", "2:Staging", "3:Archived", "4:Production"]);
  });

  it("refuses an unknown stage and 404s on an unknown version", async () => {
    expect(
      await invalid("POST", "model-versions/transition-stage", { name: "stages", version: "1", stage: "Gold" }),
    ).toBe("Invalid Model Version stage: Gold. Value must be one of None, Staging, Production, Archived.");
    await invalid("POST", "model-versions/transition-stage", {
      name: "stages",
      version: "1",
      stage: "Deleted_Internal",
    });
    await missing("POST", "model-versions/transition-stage", { name: "stages", version: "9", stage: "Staging" });
    await invalid("POST", "model-versions/transition-stage", { name: "stages", version: "1" });
  });
});

describe("model-versions/delete", () => {
  beforeAll(async () => {
    await createModel(server, "del", 3, runId);
    await server.ok("POST", "model-versions/set-tag", { name: "del", version: "3", key: "k", value: "v" });
    await server.ok("DELETE", "model-versions/delete", { name: "del", version: "3" });
  });

  it("makes every read and write of the version a 404 that says it was deleted and what to do", async () => {
    const calls: [string, string, Record<string, unknown>][] = [
      ["GET", "model-versions/get", { name: "del", version: "3" }],
      ["GET", "model-versions/get-download-uri", { name: "del", version: "3" }],
      ["PATCH", "model-versions/update", { name: "del", version: "3", description: "x" }],
      ["POST", "model-versions/transition-stage", { name: "del", version: "3", stage: "Production" }],
      ["POST", "model-versions/set-tag", { name: "del", version: "3", key: "a", value: "b" }],
      ["POST", "registered-models/alias", { name: "del", alias: "champion", version: "3" }],
      ["DELETE", "model-versions/delete", { name: "del", version: "3" }],
    ];
    for (const [method, path, params] of calls) {
      expect(await missing(method, path, params)).toMatch(
        /^Model Version \(name=del, version=3\) not found: it was deleted\..*register the model again/,
      );
    }
  });

  it("never reuses the number, and leaves the version out of searches and latest_versions", async () => {
    const next = await create({ name: "del", source: "s3://b/m" });
    expect(next.version).toBe("4");
    expect(await stages("del")).toEqual(["1:None", "2:None", "4:None"]);
    expect((await getModel(server, "del")).latest_versions?.map((v) => v.version)).toEqual(["4"]);
  });

  it("404s on a version that never existed", async () => {
    expect(await missing("DELETE", "model-versions/delete", { name: "del", version: "77" })).toBe(
      "Model Version (name=del, version=77) not found",
    );
    await missing("DELETE", "model-versions/delete", { name: "nope", version: "1" });
  });
});

describe("model-versions/get-download-uri", () => {
  it("resolves a runs:/ source to the run's artifact URI plus the path", async () => {
    await server.ok("POST", "registered-models/create", { name: "dl" });
    await create({ name: "dl", source: `runs:/${runId}/model/sub`, run_id: runId });
    expect(await server.ok("GET", "model-versions/get-download-uri", { name: "dl", version: "1" })).toEqual({
      artifact_uri: `${artifactUri}/model/sub`,
    });
  });

  it("returns other sources as they are, and a models:/ source's own location", async () => {
    await create({ name: "dl", source: "s3://bucket/models/iris" });
    await create({ name: "dl", source: `mlflow-artifacts:/0/${runId}/artifacts/model` });
    await create({ name: "dl", source: "models:/dl/1" });
    const uri = async (version: string) =>
      (await server.ok("GET", "model-versions/get-download-uri", { name: "dl", version })).artifact_uri;
    expect(await uri("2")).toBe("s3://bucket/models/iris");
    expect(await uri("3")).toBe(`mlflow-artifacts:/0/${runId}/artifacts/model`);
    expect(await uri("4")).toBe(`${artifactUri}/model/sub`);
    expect((await getVersion(server, "dl", "4")).source).toBe("models:/dl/1");
  });

  it("404s for a models:/ source naming no version", async () => {
    await missing("POST", "model-versions/create", { name: "dl", source: "models:/dl/99" });
    await invalid("POST", "model-versions/create", { name: "dl", source: "models:/dl" });
  });
});
