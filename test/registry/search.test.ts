/**
 * `registered-models/search` and `model-versions/search` through a real `lathe server` (reference/
 * mlflow.md §3, §4): filters on names, sources, run ids (IN too), version numbers and tags; order
 * keys and MLflow's default order; page tokens; caps; and the errors for bad input.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { createRun, type ModelVersionJson, type RegisteredModelJson } from "./helpers.js";

let server: TestServer;
let runA: string;
let runB: string;

beforeAll(async () => {
  server = await startTestServer();
  runA = (await createRun(server)).runId;
  runB = (await createRun(server)).runId;
  // alpha: v1 (run A), v2 (run B, tag stage=gold), v3 (s3); beta: v1 (run A); gamma: none.
  for (const [name, team] of [
    ["alpha", "vision"],
    ["beta", "nlp"],
    ["gamma", "vision"],
  ] as const) {
    await server.ok("POST", "registered-models/create", { name, tags: [{ key: "team", value: team }] });
  }
  const create = (params: Record<string, unknown>) => server.ok("POST", "model-versions/create", params);
  await create({ name: "alpha", source: `runs:/${runA}/model`, run_id: runA });
  await create({ name: "alpha", source: `runs:/${runB}/model`, run_id: runB, tags: [{ key: "stage", value: "gold" }] });
  await create({ name: "alpha", source: "s3://bucket/alpha/3" });
  await create({ name: "beta", source: `runs:/${runA}/model`, run_id: runA });
  await server.ok("POST", "registered-models/alias", { name: "alpha", alias: "champion", version: "2" });
});

afterAll(async () => {
  await server.close();
});

async function models(params: Record<string, unknown>): Promise<{ names: string[]; token?: string }> {
  const body = await server.ok("GET", "registered-models/search", params);
  const items = (body.registered_models ?? []) as RegisteredModelJson[];
  return { names: items.map((model) => model.name), token: body.next_page_token as string | undefined };
}

async function versions(
  params: Record<string, unknown>,
): Promise<{ ids: string[]; items: ModelVersionJson[]; token?: string }> {
  const body = await server.ok("GET", "model-versions/search", params);
  const items = (body.model_versions ?? []) as ModelVersionJson[];
  return { ids: items.map((v) => `${v.name}/${v.version}`), items, token: body.next_page_token as string | undefined };
}

describe("registered-models/search", () => {
  it("lists every model by name without a filter, with their latest versions, tags and aliases", async () => {
    const body = await server.ok("GET", "registered-models/search", {});
    const items = body.registered_models as RegisteredModelJson[];
    expect(items.map((model) => model.name)).toEqual(["alpha", "beta", "gamma"]);
    expect(items[0]?.aliases).toEqual([{ alias: "champion", version: "2" }]);
    expect(items[0]?.latest_versions?.map((v) => v.version)).toEqual(["3"]);
    expect(items[2]?.latest_versions).toBeUndefined();
    expect(body.next_page_token).toBeUndefined();
  });

  it("filters by name (=, !=, LIKE case-sensitive, ILIKE) and tags", async () => {
    expect((await models({ filter: "name = 'beta'" })).names).toEqual(["beta"]);
    expect((await models({ filter: "name != 'beta'" })).names).toEqual(["alpha", "gamma"]);
    expect((await models({ filter: "name LIKE '%a'" })).names).toEqual(["alpha", "beta", "gamma"]);
    expect((await models({ filter: "name LIKE 'A%'" })).names).toEqual([]);
    expect((await models({ filter: "name ILIKE 'A%'" })).names).toEqual(["alpha"]);
    expect((await models({ filter: "tags.team = 'vision'" })).names).toEqual(["alpha", "gamma"]);
    expect((await models({ filter: "tags.team = 'vision' AND name LIKE 'g%'" })).names).toEqual(["gamma"]);
    expect((await models({ filter: "tags.missing = 'x'" })).names).toEqual([]);
  });

  it("orders by name, timestamps (newest first) and breaks ties by name", async () => {
    expect((await models({ order_by: ["name DESC"] })).names).toEqual(["gamma", "beta", "alpha"]);
    const all = (await server.ok("GET", "registered-models/search", {})).registered_models as RegisteredModelJson[];
    // Models made within one millisecond tie on the timestamp; the tie-break is name ASC.
    const expected = (key: "creation_timestamp" | "last_updated_timestamp", sign: number) =>
      [...all].sort((a, b) => sign * (a[key] - b[key]) || a.name.localeCompare(b.name)).map((model) => model.name);
    expect((await models({ order_by: ["creation_timestamp DESC"] })).names).toEqual(expected("creation_timestamp", -1));
    expect((await models({ order_by: ["last_updated_timestamp ASC"] })).names).toEqual(
      expected("last_updated_timestamp", 1),
    );
    expect((await models({ order_by: ["timestamp DESC"] })).names).toEqual(expected("last_updated_timestamp", -1));
  });

  it("pages with next_page_token, given only when there is a next page", async () => {
    const first = await models({ max_results: 2 });
    expect(first.names).toEqual(["alpha", "beta"]);
    expect(first.token).toBeDefined();
    const second = await models({ max_results: 2, page_token: first.token });
    expect(second).toEqual({ names: ["gamma"], token: undefined });
    expect((await models({ max_results: 3 })).token).toBeUndefined();
  });

  it("refuses max_results outside 1..1000, bad tokens, filters and order keys", async () => {
    const invalid = (params: Record<string, unknown>) =>
      server.fails("GET", "registered-models/search", params, 400, "INVALID_PARAMETER_VALUE");
    expect(await invalid({ max_results: 1001 })).toMatch(/at most 1000/);
    await invalid({ max_results: 0 });
    expect(await invalid({ page_token: "not-a-token" })).toMatch(/Invalid page token/);
    await invalid({ filter: "name = 'a' OR name = 'b'" });
    await invalid({ filter: "version_number > 1" });
    await invalid({ order_by: ["version_number"] });
    await invalid({ order_by: ["name", "name DESC"] });
  });
});

describe("model-versions/search", () => {
  it("orders by last_updated_timestamp DESC, name ASC, version DESC by default, without aliases", async () => {
    const all = await versions({});
    expect(all.ids).toHaveLength(4);
    const stamps = all.items.map((v) => v.last_updated_timestamp);
    expect(stamps).toEqual([...stamps].sort((a, b) => b - a));
    expect(all.items.every((v) => v.aliases === undefined)).toBe(true);
  });

  it("filters by name, run_id (= and IN), source_path, version_number and tags", async () => {
    const ids = async (filter: string) => (await versions({ filter, order_by: ["name", "version_number"] })).ids;
    expect(await ids("name = 'alpha'")).toEqual(["alpha/1", "alpha/2", "alpha/3"]);
    expect(await ids(`run_id = '${runA}'`)).toEqual(["alpha/1", "beta/1"]);
    expect(await ids(`run_id IN ('${runB}', '${runA.toUpperCase()}')`)).toEqual(["alpha/1", "alpha/2", "beta/1"]);
    expect(await ids("source_path LIKE 's3://%'")).toEqual(["alpha/3"]);
    expect(await ids("name = 'alpha' AND version_number >= 2")).toEqual(["alpha/2", "alpha/3"]);
    expect(await ids("tags.stage = 'gold'")).toEqual(["alpha/2"]);
    expect(await ids("tags.stage ILIKE 'GOLD' AND name = 'beta'")).toEqual([]);
  });

  it("orders by any version attribute and pages", async () => {
    expect((await versions({ order_by: ["version_number DESC", "name DESC"] })).ids).toEqual([
      "alpha/3",
      "alpha/2",
      "beta/1",
      "alpha/1",
    ]);
    const first = await versions({ max_results: 3, order_by: ["name", "version_number"] });
    expect(first.ids).toEqual(["alpha/1", "alpha/2", "alpha/3"]);
    const second = await versions({ max_results: 3, order_by: ["name", "version_number"], page_token: first.token });
    expect(second.ids).toEqual(["beta/1"]);
    expect(second.token).toBeUndefined();
  });

  it("never returns deleted versions", async () => {
    await server.ok("POST", "registered-models/create", { name: "gone" });
    await server.ok("POST", "model-versions/create", { name: "gone", source: "s3://b/m" });
    await server.ok("DELETE", "model-versions/delete", { name: "gone", version: "1" });
    expect((await versions({ filter: "name = 'gone'" })).ids).toEqual([]);
    expect((await versions({ filter: "source_path = 'REDACTED-SOURCE-PATH'" })).ids).toEqual([]);
  });

  it("refuses max_results above 200000 and bad filters", async () => {
    const invalid = (params: Record<string, unknown>) =>
      server.fails("GET", "model-versions/search", params, 400, "INVALID_PARAMETER_VALUE");
    expect(await invalid({ max_results: 200001 })).toMatch(/at most 200000/);
    await invalid({ filter: "name IN ('a')" });
    await invalid({ filter: "version_number = '2'" });
    await invalid({ filter: "metrics.acc > 1" });
    await invalid({ order_by: ["timestamp"] });
  });
});
