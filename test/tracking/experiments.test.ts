/**
 * Contract tests for the experiment endpoints (reference/mlflow.md §2.1, §3, §4) through a real
 * `lathe server` on loopback: create, get, get-by-name, search, list, update, delete/restore and
 * experiment tags, on both the `/api` and `/ajax-api` prefixes.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/server.js";

interface Tag {
  key: string;
  value: string;
}

interface ExperimentJson {
  experiment_id: string;
  name: string;
  artifact_location: string;
  lifecycle_stage: string;
  creation_time: number;
  last_update_time: number;
  tags?: Tag[];
}

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(async () => {
  await server.close();
});

const ok: TestServer["ok"] = (...args) => server.ok(...args);

const fails: TestServer["fails"] = (...args) => server.fails(...args);

async function create(name: string, extra: Record<string, unknown> = {}): Promise<string> {
  const body = await ok("POST", "experiments/create", { name, ...extra });
  expect(typeof body.experiment_id).toBe("string");
  return body.experiment_id as string;
}

async function get(experimentId: string): Promise<ExperimentJson> {
  return (await ok("GET", "experiments/get", { experiment_id: experimentId })).experiment as ExperimentJson;
}

async function search(params: Record<string, unknown>, method = "POST") {
  const body = await ok(method, "experiments/search", params);
  return {
    experiments: (body.experiments ?? []) as ExperimentJson[],
    token: body.next_page_token as string | undefined,
  };
}

const names = (list: ExperimentJson[]) => list.map((experiment) => experiment.name);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("experiments/create and experiments/get", () => {
  it("creates with tags and the default artifact location mlflow-artifacts:/<id>", async () => {
    const before = Date.now();
    const id = await create("create-tags", { tags: [{ key: "team", value: "ml" }, { key: "empty" }] });
    expect(id).toMatch(/^\d+$/);
    const experiment = await get(id);
    expect(experiment).toMatchObject({
      experiment_id: id,
      name: "create-tags",
      artifact_location: `mlflow-artifacts:/${id}`,
      lifecycle_stage: "active",
    });
    expect(experiment.creation_time).toBeGreaterThanOrEqual(before);
    expect(experiment.last_update_time).toBeGreaterThanOrEqual(experiment.creation_time);
    expect(experiment.tags).toEqual(
      expect.arrayContaining([
        { key: "team", value: "ml" },
        { key: "empty", value: "" },
      ]),
    );
  });

  it("keeps an explicit file:// artifact location", async () => {
    const location = pathToFileURL(join(server.dir, "explicit-root")).href;
    const id = await create("create-file-location", { artifact_location: location });
    expect((await get(id)).artifact_location).toBe(location);
  });

  it("omits tags when there are none", async () => {
    expect((await get(await create("create-no-tags"))).tags).toBeUndefined();
  });

  it("refuses a duplicate name with 400 RESOURCE_ALREADY_EXISTS, also against a deleted experiment", async () => {
    const id = await create("dup-name");
    await fails("POST", "experiments/create", { name: "dup-name" }, 400, "RESOURCE_ALREADY_EXISTS");
    await ok("POST", "experiments/delete", { experiment_id: id });
    await fails("POST", "experiments/create", { name: "dup-name" }, 400, "RESOURCE_ALREADY_EXISTS");
  });

  it("requires a name", async () => {
    for (const params of [{}, { name: "" }]) {
      const message = await fails("POST", "experiments/create", params, 400, "INVALID_PARAMETER_VALUE");
      expect(message).toBe("Missing value for required parameter 'name'.");
    }
  });

  it("caps the name at 500 characters", async () => {
    await create("n".repeat(500));
    await fails("POST", "experiments/create", { name: "m".repeat(501) }, 400, "INVALID_PARAMETER_VALUE");
  });

  it("refuses a runs: artifact location", async () => {
    await fails(
      "POST",
      "experiments/create",
      { name: "runs-location", artifact_location: "runs:/abc/artifacts" },
      400,
      "INVALID_PARAMETER_VALUE",
    );
    await fails("GET", "experiments/get-by-name", { experiment_name: "runs-location" }, 404, "RESOURCE_DOES_NOT_EXIST");
  });

  it("answers 404 RESOURCE_DOES_NOT_EXIST for an unknown id and still returns deleted experiments", async () => {
    await fails("GET", "experiments/get", { experiment_id: "987654" }, 404, "RESOURCE_DOES_NOT_EXIST");
    await fails("GET", "experiments/get", {}, 400, "INVALID_PARAMETER_VALUE");
    const id = await create("get-deleted");
    await ok("POST", "experiments/delete", { experiment_id: id });
    expect(await get(id)).toMatchObject({ name: "get-deleted", lifecycle_stage: "deleted" });
  });

  it("has the Default experiment 0 from the start, and refuses to delete it", async () => {
    expect(await get("0")).toMatchObject({ experiment_id: "0", name: "Default", lifecycle_stage: "active" });
    await fails("POST", "experiments/delete", { experiment_id: "0" }, 400, "INVALID_PARAMETER_VALUE");
    expect((await get("0")).lifecycle_stage).toBe("active");
  });
});

describe("experiments/get-by-name", () => {
  it("finds an experiment by name and answers 404 for an unknown one", async () => {
    const id = await create("by-name");
    const body = await ok("GET", "experiments/get-by-name", { experiment_name: "by-name" });
    expect((body.experiment as ExperimentJson).experiment_id).toBe(id);
    await fails("GET", "experiments/get-by-name", { experiment_name: "no-such" }, 404, "RESOURCE_DOES_NOT_EXIST");
  });
});

describe("experiments/search", () => {
  let t0 = 0;

  beforeAll(async () => {
    await create("srch-alpha", { tags: [{ key: "team", value: "a" }] });
    await create("srch-beta", { tags: [{ key: "team", value: "b" }] });
    await sleep(5);
    t0 = Date.now();
    await sleep(2);
    await create("srch-Gamma", { tags: [{ key: "team", value: "a" }] });
    const deleted = await create("srch-deleted");
    await ok("POST", "experiments/delete", { experiment_id: deleted });
  });

  const srch = (filter: string, extra: Record<string, unknown> = {}) =>
    search({ filter: `name LIKE 'srch-%' AND ${filter}`, ...extra }).then((page) => names(page.experiments).sort());

  it("filters by name with LIKE (case-sensitive), ILIKE, = and !=", async () => {
    expect(await srch("name LIKE '%a'")).toEqual(["srch-Gamma", "srch-alpha", "srch-beta"]);
    expect(await srch("name LIKE 'srch-g%'")).toEqual([]);
    expect(await srch("name ILIKE 'SRCH-G%'")).toEqual(["srch-Gamma"]);
    expect(await srch("name = 'srch-beta'")).toEqual(["srch-beta"]);
    expect(await srch("name != 'srch-beta'")).toEqual(["srch-Gamma", "srch-alpha"]);
  });

  it("filters by tags and creation_time", async () => {
    expect(await srch("tags.team = 'a'")).toEqual(["srch-Gamma", "srch-alpha"]);
    expect(await srch("tags.team != 'a'")).toEqual(["srch-beta"]);
    expect(await srch("tags.missing = 'a'")).toEqual([]);
    expect(await srch(`creation_time >= ${t0}`)).toEqual(["srch-Gamma"]);
    expect(await srch(`creation_time < ${t0}`)).toEqual(["srch-alpha", "srch-beta"]);
  });

  it("orders by name ASC and DESC", async () => {
    const filter = "name LIKE 'srch-%'";
    expect(names((await search({ filter, order_by: ["name ASC"] })).experiments)).toEqual([
      "srch-Gamma",
      "srch-alpha",
      "srch-beta",
    ]);
    expect(names((await search({ filter, order_by: ["name DESC"] })).experiments)).toEqual([
      "srch-beta",
      "srch-alpha",
      "srch-Gamma",
    ]);
  });

  it("orders by creation_time DESC, then experiment_id ASC, by default", async () => {
    const { experiments } = await search({});
    expect(experiments.length).toBeGreaterThan(3);
    for (let i = 1; i < experiments.length; i++) {
      const previous = experiments[i - 1]!;
      const current = experiments[i]!;
      expect(previous.creation_time).toBeGreaterThanOrEqual(current.creation_time);
      if (previous.creation_time === current.creation_time) {
        expect(Number(previous.experiment_id)).toBeLessThan(Number(current.experiment_id));
      }
    }
  });

  it("honours view_type ACTIVE_ONLY (default), DELETED_ONLY and ALL", async () => {
    expect(await srch("name LIKE '%'")).toEqual(["srch-Gamma", "srch-alpha", "srch-beta"]);
    expect(await srch("name LIKE '%'", { view_type: "ACTIVE_ONLY" })).toHaveLength(3);
    expect(await srch("name LIKE '%'", { view_type: "DELETED_ONLY" })).toEqual(["srch-deleted"]);
    expect(await srch("name LIKE '%'", { view_type: "ALL" })).toHaveLength(4);
  });

  it("pages over 25 experiments with no duplicates or gaps", async () => {
    const created: string[] = [];
    for (let i = 0; i < 25; i++) created.push(await create(`page-${String(i).padStart(2, "0")}`));
    const seen: string[] = [];
    const sizes: number[] = [];
    let token: string | undefined;
    do {
      const page = await search({
        filter: "name LIKE 'page-%'",
        max_results: 7,
        ...(token ? { page_token: token } : {}),
      });
      sizes.push(page.experiments.length);
      seen.push(...page.experiments.map((experiment) => experiment.experiment_id));
      token = page.token;
    } while (token);
    expect(sizes).toEqual([7, 7, 7, 4]);
    expect(new Set(seen).size).toBe(25);
    expect([...seen].sort()).toEqual([...created].sort());
  });

  it("refuses max_results 0 and 50001, and accepts 50000", async () => {
    await fails("POST", "experiments/search", { max_results: 0 }, 400, "INVALID_PARAMETER_VALUE");
    await fails("POST", "experiments/search", { max_results: 50001 }, 400, "INVALID_PARAMETER_VALUE");
    await ok("POST", "experiments/search", { max_results: 50000 });
  });

  it("refuses an invalid page token and an invalid filter", async () => {
    await fails("POST", "experiments/search", { page_token: "not-a-token" }, 400, "INVALID_PARAMETER_VALUE");
    await fails("POST", "experiments/search", { filter: "metrics.x > 1" }, 400, "INVALID_PARAMETER_VALUE");
    await fails("POST", "experiments/search", { view_type: "SOME" }, 400, "INVALID_PARAMETER_VALUE");
  });

  it("takes the GET form with repeated order_by keys", async () => {
    const page = await search({ filter: "name LIKE 'srch-%'", order_by: ["name DESC", "experiment_id ASC"] }, "GET");
    expect(names(page.experiments)).toEqual(["srch-beta", "srch-alpha", "srch-Gamma"]);
    const message = await fails(
      "GET",
      "experiments/search",
      { order_by: ["name", "name DESC"] },
      400,
      "INVALID_PARAMETER_VALUE",
    );
    expect(message).toContain("duplicate");
  });
});

describe("experiments/list (MLflow 1.x)", () => {
  it("lists active experiments, and deleted ones on request", async () => {
    const id = await create("listed-then-deleted");
    await ok("POST", "experiments/delete", { experiment_id: id });
    const active = (await ok("GET", "experiments/list")).experiments as ExperimentJson[];
    expect(names(active)).toContain("Default");
    expect(names(active)).not.toContain("listed-then-deleted");
    const all = (await ok("GET", "experiments/list", { view_type: "ALL" })).experiments as ExperimentJson[];
    expect(names(all)).toContain("listed-then-deleted");
  });
});

describe("experiments/update", () => {
  it("renames, and refuses a name already taken", async () => {
    const id = await create("old-name");
    await create("taken-name");
    await ok("POST", "experiments/update", { experiment_id: id, new_name: "new-name" });
    expect((await get(id)).name).toBe("new-name");
    await fails("GET", "experiments/get-by-name", { experiment_name: "old-name" }, 404, "RESOURCE_DOES_NOT_EXIST");
    await fails(
      "POST",
      "experiments/update",
      { experiment_id: id, new_name: "taken-name" },
      400,
      "RESOURCE_ALREADY_EXISTS",
    );
    await fails("POST", "experiments/update", { experiment_id: id }, 400, "INVALID_PARAMETER_VALUE");
    await fails(
      "POST",
      "experiments/update",
      { experiment_id: "987654", new_name: "x" },
      404,
      "RESOURCE_DOES_NOT_EXIST",
    );
  });
});

describe("experiments/delete and experiments/restore", () => {
  it("soft-deletes an experiment with its runs and restores both", async () => {
    const id = await create("delete-restore");
    const run = (await ok("POST", "runs/create", { experiment_id: id })).run as { info: { run_id: string } };
    const runStage = async () =>
      ((await ok("GET", "runs/get", { run_id: run.info.run_id })).run as { info: { lifecycle_stage: string } }).info
        .lifecycle_stage;

    await ok("POST", "experiments/delete", { experiment_id: id });
    expect((await get(id)).lifecycle_stage).toBe("deleted");
    expect(await runStage()).toBe("deleted");
    await fails("POST", "runs/create", { experiment_id: id }, 400, "INVALID_PARAMETER_VALUE");

    await ok("POST", "experiments/restore", { experiment_id: id });
    expect((await get(id)).lifecycle_stage).toBe("active");
    expect(await runStage()).toBe("active");
  });

  it("answers 404 for unknown experiments", async () => {
    await fails("POST", "experiments/delete", { experiment_id: "987654" }, 404, "RESOURCE_DOES_NOT_EXIST");
    await fails("POST", "experiments/restore", { experiment_id: "987654" }, 404, "RESOURCE_DOES_NOT_EXIST");
  });
});

describe("experiment tags", () => {
  it("sets (upserting) and deletes tags", async () => {
    const id = await create("tagged");
    await ok("POST", "experiments/set-experiment-tag", { experiment_id: id, key: "stage", value: "dev" });
    await ok("POST", "experiments/set-experiment-tag", { experiment_id: id, key: "stage", value: "prod" });
    await ok("POST", "experiments/set-experiment-tag", { experiment_id: id, key: "other", value: "x" });
    expect((await get(id)).tags).toEqual(
      expect.arrayContaining([
        { key: "stage", value: "prod" },
        { key: "other", value: "x" },
      ]),
    );
    expect((await get(id)).tags).toHaveLength(2);

    await ok("POST", "experiments/delete-experiment-tag", { experiment_id: id, key: "stage" });
    expect((await get(id)).tags).toEqual([{ key: "other", value: "x" }]);
    await fails(
      "POST",
      "experiments/delete-experiment-tag",
      { experiment_id: id, key: "stage" },
      404,
      "RESOURCE_DOES_NOT_EXIST",
    );
  });

  it("validates the tag and the experiment", async () => {
    const id = await create("tag-checks");
    await fails("POST", "experiments/set-experiment-tag", { experiment_id: id }, 400, "INVALID_PARAMETER_VALUE");
    await fails(
      "POST",
      "experiments/set-experiment-tag",
      { experiment_id: id, key: "k", value: "v".repeat(5001) },
      400,
      "INVALID_PARAMETER_VALUE",
    );
    await fails(
      "POST",
      "experiments/set-experiment-tag",
      { experiment_id: "987654", key: "k", value: "v" },
      404,
      "RESOURCE_DOES_NOT_EXIST",
    );
    await ok("POST", "experiments/delete", { experiment_id: id });
    await fails(
      "POST",
      "experiments/set-experiment-tag",
      { experiment_id: id, key: "k", value: "v" },
      400,
      "INVALID_PARAMETER_VALUE",
    );
  });
});

describe("route prefixes", () => {
  it("serves the same endpoints under /api/2.0/mlflow and /ajax-api/2.0/mlflow", async () => {
    const created = await server.call("POST", "/ajax-api/2.0/mlflow/experiments/create", { name: "via-ajax" });
    expect(created.status).toBe(200);
    const id = created.body.experiment_id as string;
    expect((await get(id)).name).toBe("via-ajax");
    const viaAjax = await server.call("GET", "/ajax-api/2.0/mlflow/experiments/get-by-name", {
      experiment_name: "via-ajax",
    });
    expect(viaAjax.status).toBe(200);
    expect((viaAjax.body.experiment as ExperimentJson).experiment_id).toBe(id);
    const missing = await server.call("GET", "/ajax-api/2.0/mlflow/experiments/get", { experiment_id: "987654" });
    expect(missing.status).toBe(404);
    expect(missing.body.error_code).toBe("RESOURCE_DOES_NOT_EXIST");
  });
});
