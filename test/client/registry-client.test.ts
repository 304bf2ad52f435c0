/**
 * LatheClient's model registry methods against a real `lathe server` (reference/mlflow.md §2.5–2.6):
 * registered models and versions round-trip through every endpoint in MLflow's shapes, the searchAll
 * helpers follow page tokens, `models:/` URIs resolve through the client, and the registry history
 * extension reads back (with a clear error from a server that lacks it).
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LatheClient } from "../../src/client/index.js";
import { LatheError } from "../../src/core/errors.js";
import { resolveModelUri } from "../../src/registry/uri.js";
import { startTestServer, type TestServer } from "../helpers/server.js";

let server: TestServer;
let client: LatheClient;
let runId: string;

beforeAll(async () => {
  server = await startTestServer();
  client = new LatheClient({ trackingUri: server.url });
  const run = await client.startRun({ experiment: "registry", recordEnvironment: false });
  runId = run.id;
  await run.end();
});

afterAll(async () => {
  await server.close();
});

async function failure(promise: Promise<unknown>): Promise<LatheError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(LatheError);
  return error as LatheError;
}

describe("registered models", () => {
  it("creates, gets, updates, tags and untags a model", async () => {
    const created = await client.createRegisteredModel("iris", {
      tags: { task: "classification" },
      description: "iris classifier",
    });
    expect(created).toMatchObject({ name: "iris", description: "iris classifier" });
    expect(created.tags).toEqual([{ key: "task", value: "classification" }]);
    expect((await failure(client.createRegisteredModel("iris"))).code).toBe("RESOURCE_ALREADY_EXISTS");

    const updated = await client.updateRegisteredModel("iris", { description: "updated" });
    expect(updated.description).toBe("updated");
    await client.setRegisteredModelTag("iris", "owner", "bob");
    await client.deleteRegisteredModelTag("iris", "task");
    const fetched = await client.getRegisteredModel("iris");
    expect(fetched.tags).toEqual([{ key: "owner", value: "bob" }]);
    expect((await failure(client.getRegisteredModel("no-such-model"))).code).toBe("RESOURCE_DOES_NOT_EXIST");
  });

  it("renames and deletes a model", async () => {
    await client.createRegisteredModel("to-rename");
    await client.createModelVersion("to-rename", `runs:/${runId}/model`, { runId });
    const renamed = await client.renameRegisteredModel("to-rename", "renamed");
    expect(renamed.name).toBe("renamed");
    expect((await client.getModelVersion("renamed", 1)).name).toBe("renamed");
    await client.deleteRegisteredModel("renamed");
    expect((await failure(client.getRegisteredModel("renamed"))).code).toBe("RESOURCE_DOES_NOT_EXIST");
  });

  it("searches one page, and all pages with searchAllRegisteredModels", async () => {
    for (let index = 0; index < 5; index++) await client.createRegisteredModel(`paged-${index}`);
    const page = await client.searchRegisteredModels({
      filter: "name LIKE 'paged-%'",
      maxResults: 2,
      orderBy: ["name ASC"],
    });
    expect(page.items.map((model) => model.name)).toEqual(["paged-0", "paged-1"]);
    expect(page.nextPageToken).toBeTypeOf("string");
    const all = await client.searchAllRegisteredModels({ filter: "name LIKE 'paged-%'", maxResults: 2 });
    expect(all.map((model) => model.name).sort()).toEqual([0, 1, 2, 3, 4].map((index) => `paged-${index}`));
  });
});

describe("model versions", () => {
  beforeAll(async () => {
    await client.createRegisteredModel("versions");
  });

  it("creates versions numbered from 1 (as strings) and reads them back", async () => {
    const first = await client.createModelVersion("versions", `runs:/${runId}/model`, {
      runId,
      tags: { algo: "logreg" },
      description: "v1",
    });
    expect(first).toMatchObject({
      name: "versions",
      version: "1",
      current_stage: "None",
      status: "READY",
      run_id: runId,
    });
    expect(first.tags).toEqual([{ key: "algo", value: "logreg" }]);
    const second = await client.createModelVersion("versions", `runs:/${runId}/model`, { runId });
    expect(second.version).toBe("2");
    expect(await client.getModelVersion("versions", "1")).toMatchObject({ version: "1", description: "v1" });
    expect((await client.updateModelVersion("versions", 2, { description: "second" })).description).toBe("second");
  });

  it("transitions stages and reads the latest version per stage", async () => {
    await client.transitionModelVersionStage("versions", 1, "Production");
    const promoted = await client.transitionModelVersionStage("versions", 2, "production", {
      archiveExistingVersions: true,
    });
    expect(promoted.current_stage).toBe("Production");
    expect((await client.getModelVersion("versions", 1)).current_stage).toBe("Archived");
    const latest = await client.getLatestVersions("versions", ["Production", "Archived"]);
    expect(latest.map((version) => [version.version, version.current_stage]).sort()).toEqual([
      ["1", "Archived"],
      ["2", "Production"],
    ]);
    expect((await client.getLatestVersions("versions")).length).toBeGreaterThanOrEqual(2);
  });

  it("sets, moves, reads and deletes aliases", async () => {
    await client.setRegisteredModelAlias("versions", "champion", 1);
    expect((await client.getModelVersionByAlias("versions", "champion")).version).toBe("1");
    await client.setRegisteredModelAlias("versions", "champion", "2");
    const aliased = await client.getModelVersionByAlias("versions", "champion");
    expect(aliased).toMatchObject({ version: "2", aliases: ["champion"] });
    expect((await client.getRegisteredModel("versions")).aliases).toEqual([{ alias: "champion", version: "2" }]);
    await client.deleteRegisteredModelAlias("versions", "champion");
    await client.deleteRegisteredModelAlias("versions", "champion");
    // MLflow answers an unknown alias with 400 INVALID_PARAMETER_VALUE, not 404.
    expect((await failure(client.getModelVersionByAlias("versions", "champion"))).code).toBe("INVALID_PARAMETER_VALUE");
  });

  it("tags and untags a version, and gives its download URI", async () => {
    await client.setModelVersionTag("versions", 1, "validated", "true");
    expect((await client.getModelVersion("versions", 1)).tags).toContainEqual({ key: "validated", value: "true" });
    await client.deleteModelVersionTag("versions", 1, "validated");
    expect((await client.getModelVersion("versions", 1)).tags ?? []).not.toContainEqual({
      key: "validated",
      value: "true",
    });
    const uri = await client.getModelVersionDownloadUri("versions", 1);
    expect(uri.length).toBeGreaterThan(0);
    expect(uri).toContain(runId);
  });

  it("searches versions, one page and all pages", async () => {
    await client.createModelVersion("versions", `runs:/${runId}/model`, { runId });
    const page = await client.searchModelVersions({ filter: "name = 'versions'", maxResults: 2 });
    expect(page.items).toHaveLength(2);
    expect(page.nextPageToken).toBeTypeOf("string");
    const all = await client.searchAllModelVersions({ filter: "name = 'versions'", maxResults: 2 });
    expect(all.map((version) => version.version).sort()).toEqual(["1", "2", "3"]);
  });

  it("resolves models:/ URIs through the client", async () => {
    await client.setRegisteredModelAlias("versions", "challenger", 3);
    const byAlias = await resolveModelUri("models:/versions@challenger", client);
    expect(byAlias).toMatchObject({ name: "versions", version: "3" });
    const byStage = await resolveModelUri("models:/versions/Production", client);
    expect(byStage).toMatchObject({ name: "versions", version: "2" });
  });

  it("deletes a version; its number is not reused", async () => {
    await client.deleteModelVersion("versions", 3);
    expect((await failure(client.getModelVersion("versions", 3))).code).toBe("RESOURCE_DOES_NOT_EXIST");
    expect((await client.createModelVersion("versions", `runs:/${runId}/model`, { runId })).version).toBe("4");
  });
});

describe("registry history (Lathe extension)", () => {
  it("returns a model's stage and alias events, oldest first, optionally for one version", async () => {
    await client.createRegisteredModel("history");
    await client.createModelVersion("history", `runs:/${runId}/model`, { runId });
    await client.createModelVersion("history", `runs:/${runId}/model`, { runId });
    await client.transitionModelVersionStage("history", 1, "Staging");
    await client.setRegisteredModelAlias("history", "champion", 2);
    const events = await client.getRegistryHistory("history");
    expect(events.map((event) => [event.kind, event.version, event.from, event.to])).toEqual([
      ["stage", "1", "None", "Staging"],
      ["alias", "2", undefined, "2"],
    ]);
    expect(events[1]?.alias).toBe("champion");
    expect((await client.getRegistryHistory("history", { version: 1 })).map((event) => event.kind)).toEqual(["stage"]);
  });

  it("says the endpoint is a Lathe extension when the server (an MLflow one) lacks it", async () => {
    const mlflowLike = createServer((_request, response) => {
      response.writeHead(404, { "content-type": "text/html" });
      response.end("<!doctype html><title>404 Not Found</title>");
    });
    await new Promise<void>((resolve) => mlflowLike.listen(0, "127.0.0.1", resolve));
    const { port } = mlflowLike.address() as AddressInfo;
    const error = await failure(new LatheClient({ trackingUri: `http://127.0.0.1:${port}` }).getRegistryHistory("x"));
    expect(error.code).toBe("ENDPOINT_NOT_FOUND");
    expect(error.message).toMatch(/Lathe extension that MLflow servers lack/);
    await new Promise((resolve) => mlflowLike.close(resolve));
  });
});
