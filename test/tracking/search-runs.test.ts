/**
 * Contract tests for runs/search (reference/mlflow.md §2.2, §4) through a real `lathe server`: every
 * identifier type and operator, quoted keys, missing keys, ordering with NaN and missing values
 * last, paging, view types, several experiments, and filter errors that name a position.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/server.js";

interface RunJson {
  info: { run_id: string; run_name: string; start_time: number };
}

let server: TestServer;
/** Experiment with the five fixture runs, and another with one more. */
let expA: string;
let expB: string;
/** run_name → run_id of the fixture runs. */
const ids = new Map<string, string>();

const ok: TestServer["ok"] = (...args) => server.ok(...args);

async function createExperiment(name: string): Promise<string> {
  return (await ok("POST", "experiments/create", { name })).experiment_id as string;
}

async function createRun(experimentId: string, runName: string, startTime: number): Promise<string> {
  const run = (
    await ok("POST", "runs/create", { experiment_id: experimentId, run_name: runName, start_time: startTime })
  ).run as RunJson;
  return run.info.run_id;
}

interface Fixture {
  name: string;
  start: number;
  acc?: number | string;
  params?: Record<string, string>;
  tags?: Record<string, string>;
  dataset?: { name: string; digest: string; context: string };
}

const FIXTURES: Fixture[] = [
  {
    name: "alpha-1",
    start: 1000,
    acc: 0.9,
    params: { model: "RandomForest", "model class": "tree" },
    tags: { team: "ML", "user-name": "bob" },
    dataset: { name: "train", digest: "d1", context: "training" },
  },
  {
    name: "alpha-2",
    start: 2000,
    acc: 0.5,
    params: { model: "randomforest" },
    tags: { team: "ml" },
    dataset: { name: "eval", digest: "d2", context: "eval" },
  },
  { name: "beta-1", start: 3000, acc: "NaN", params: { model: "svm" } },
  { name: "beta-2", start: 4000 },
  { name: "gamma", start: 5000, acc: 0.7 },
];

async function addFixture(experimentId: string, fixture: Fixture): Promise<void> {
  const runId = await createRun(experimentId, fixture.name, fixture.start);
  ids.set(fixture.name, runId);
  const pairs = (record: Record<string, string> = {}) => Object.entries(record).map(([key, value]) => ({ key, value }));
  await ok("POST", "runs/log-batch", {
    run_id: runId,
    metrics: fixture.acc === undefined ? [] : [{ key: "acc", value: fixture.acc, timestamp: 1, step: 0 }],
    params: pairs(fixture.params),
    tags: pairs(fixture.tags),
  });
  if (fixture.dataset) {
    const { name, digest, context } = fixture.dataset;
    await ok("POST", "runs/log-inputs", {
      run_id: runId,
      datasets: [
        {
          tags: [{ key: "mlflow.data.context", value: context }],
          dataset: { name, digest, source_type: "local", source: "{}" },
        },
      ],
    });
  }
}

beforeAll(async () => {
  server = await startTestServer();
  expA = await createExperiment("search-a");
  expB = await createExperiment("search-b");
  for (const fixture of FIXTURES) await addFixture(expA, fixture);
  await ok("POST", "runs/update", { run_id: ids.get("alpha-1"), status: "FINISHED", end_time: 1500 });
  await addFixture(expB, { name: "delta", start: 6000, acc: 0.95 });
});

afterAll(async () => {
  await server.close();
});

async function search(params: Record<string, unknown>) {
  const body = await ok("POST", "runs/search", { experiment_ids: [expA], ...params });
  return { runs: (body.runs ?? []) as RunJson[], token: body.next_page_token as string | undefined };
}

/** Names of the runs matching `filter`, sorted. */
async function found(filter: string, extra: Record<string, unknown> = {}): Promise<string[]> {
  return (await search({ filter, ...extra })).runs.map((run) => run.info.run_name).sort();
}

async function ordered(orderBy: string[], extra: Record<string, unknown> = {}): Promise<string[]> {
  return (await search({ order_by: orderBy, ...extra })).runs.map((run) => run.info.run_name);
}

async function invalid(params: Record<string, unknown>): Promise<string> {
  const response = await server.call("POST", "runs/search", { experiment_ids: [expA], ...params });
  expect(response.status, JSON.stringify(response.body)).toBe(400);
  expect(response.body.error_code).toBe("INVALID_PARAMETER_VALUE");
  return response.body.message as string;
}

describe("runs/search filters", () => {
  it.each([
    ["metrics.acc > 0.6", ["alpha-1", "gamma"]],
    ["metric.acc >= 0.7", ["alpha-1", "gamma"]],
    ["metrics.acc < 0.6", ["alpha-2"]],
    ["metrics.acc <= 0.5", ["alpha-2"]],
    ["metrics.acc = 0.5", ["alpha-2"]],
    // beta-2 has no acc: a missing metric never matches, not even "!=".
    ["metrics.acc != 0.5", ["alpha-1", "beta-1", "gamma"]],
    ["metrics.missing < 100", []],
  ])("metrics: %s", async (filter, expected) => {
    expect(await found(filter)).toEqual(expected);
  });

  it.each([
    ["params.model = 'RandomForest'", ["alpha-1"]],
    ["params.model != 'svm'", ["alpha-1", "alpha-2"]],
    ["params.model LIKE 'Random%'", ["alpha-1"]],
    ["params.model LIKE 'random%'", ["alpha-2"]],
    ["parameter.model like '%o_est'", ["alpha-1", "alpha-2"]],
    ["params.model ILIKE 'RANDOM%'", ["alpha-1", "alpha-2"]],
    ["params.`model class` = 'tree'", ["alpha-1"]],
    ["tags.team = 'ML'", ["alpha-1"]],
    ["tags.team != 'ML'", ["alpha-2"]],
    ["tags.team LIKE 'm%'", ["alpha-2"]],
    ["tag.team ILIKE 'ml'", ["alpha-1", "alpha-2"]],
    ["tags.\"user-name\" = 'bob'", ["alpha-1"]],
    ["`tags`.`user-name` LIKE 'b%'", ["alpha-1"]],
  ])("params and tags: %s", async (filter, expected) => {
    expect(await found(filter)).toEqual(expected);
  });

  it.each([
    ["attributes.run_name LIKE 'alpha%'", ["alpha-1", "alpha-2"]],
    ["run.run_name = 'beta-1'", ["beta-1"]],
    ["\"Run Name\" = 'gamma'", ["gamma"]],
    ["attributes.status = 'FINISHED'", ["alpha-1"]],
    ["status != 'FINISHED'", ["alpha-2", "beta-1", "beta-2", "gamma"]],
    ["attributes.start_time > 3000", ["beta-2", "gamma"]],
    ["created >= 3000", ["beta-1", "beta-2", "gamma"]],
    ["attr.end_time <= 1500", ["alpha-1"]],
    ["attributes.end_time > 0", ["alpha-1"]],
  ])("attributes: %s", async (filter, expected) => {
    expect(await found(filter)).toEqual(expected);
  });

  it("attributes: run_id IN and NOT IN (case-insensitively)", async () => {
    const one = ids.get("alpha-1")!;
    const two = ids.get("alpha-2")!.toUpperCase();
    expect(await found(`attributes.run_id IN ('${one}', '${two}')`)).toEqual(["alpha-1", "alpha-2"]);
    expect(await found(`run_id NOT IN ('${one}')`)).toEqual(["alpha-2", "beta-1", "beta-2", "gamma"]);
    expect(await found(`run_id = '${one}'`)).toEqual(["alpha-1"]);
  });

  it.each([
    ["datasets.name = 'train'", ["alpha-1"]],
    ["datasets.name LIKE 'ev%'", ["alpha-2"]],
    ["datasets.name NOT IN ('train')", ["alpha-2"]],
    ["datasets.digest IN ('d1', 'd2')", ["alpha-1", "alpha-2"]],
    ["dataset.digest != 'd1'", ["alpha-2"]],
    ["datasets.context = 'eval'", ["alpha-2"]],
    ["datasets.context ILIKE 'TRAIN%'", ["alpha-1"]],
  ])("datasets: %s", async (filter, expected) => {
    expect(await found(filter)).toEqual(expected);
  });

  it("joins comparisons with AND (any case)", async () => {
    expect(
      await found("metrics.acc > 0.1 and params.model ILIKE '%forest' AND tags.team = 'ml' and status = 'RUNNING'"),
    ).toEqual(["alpha-2"]);
  });

  it("searches several experiments at once", async () => {
    expect(await found("metrics.acc > 0.6", { experiment_ids: [expA, expB] })).toEqual(["alpha-1", "delta", "gamma"]);
    expect(await found("metrics.acc > 0.6", { experiment_ids: [expB] })).toEqual(["delta"]);
  });

  it("takes the GET form with repeated experiment_ids", async () => {
    const body = await ok("GET", "runs/search", { experiment_ids: [expA, expB], filter: "metrics.acc > 0.8" });
    expect((body.runs as RunJson[]).map((run) => run.info.run_name).sort()).toEqual(["alpha-1", "delta"]);
  });
});

describe("runs/search order_by", () => {
  it("puts NaN and missing metrics last in both directions", async () => {
    expect(await ordered(["metrics.acc DESC"])).toEqual(["alpha-1", "gamma", "alpha-2", "beta-1", "beta-2"]);
    expect(await ordered(["metrics.acc ASC"])).toEqual(["alpha-2", "gamma", "alpha-1", "beta-1", "beta-2"]);
    expect(await ordered(["metrics.acc"])).toEqual(["alpha-2", "gamma", "alpha-1", "beta-1", "beta-2"]);
  });

  it("orders by params and tags, missing last and then by start_time DESC", async () => {
    expect(await ordered(["params.model ASC"])).toEqual(["alpha-1", "alpha-2", "beta-1", "gamma", "beta-2"]);
    expect(await ordered(["params.model DESC"])).toEqual(["beta-1", "alpha-2", "alpha-1", "gamma", "beta-2"]);
    expect(await ordered(["tags.team ASC"])).toEqual(["alpha-1", "alpha-2", "gamma", "beta-2", "beta-1"]);
  });

  it("orders by attributes", async () => {
    expect(await ordered(["attributes.run_name DESC"])).toEqual(["gamma", "beta-2", "beta-1", "alpha-2", "alpha-1"]);
    expect(await ordered(["start_time ASC"])).toEqual(["alpha-1", "alpha-2", "beta-1", "beta-2", "gamma"]);
  });

  it("applies several order keys in turn", async () => {
    expect(await ordered(["attributes.status ASC", "metrics.acc DESC"])).toEqual([
      "alpha-1",
      "gamma",
      "alpha-2",
      "beta-1",
      "beta-2",
    ]);
  });

  it("orders by start_time DESC, then run_id ASC, by default", async () => {
    expect(await ordered([])).toEqual(["gamma", "beta-2", "beta-1", "alpha-2", "alpha-1"]);
    const tied = await createExperiment("search-ties");
    const runIds = [
      await createRun(tied, "t1", 777),
      await createRun(tied, "t2", 777),
      await createRun(tied, "t3", 777),
    ];
    const got = (await search({ experiment_ids: [tied] })).runs.map((run) => run.info.run_id);
    expect(got).toEqual([...runIds].sort());
  });

  it("refuses bad and duplicate order keys", async () => {
    await invalid({ order_by: ["metrics.acc SIDEWAYS"] });
    await invalid({ order_by: ["metrics.acc", "metrics.acc DESC"] });
    await invalid({ order_by: ["attributes.bogus"] });
  });
});

describe("runs/search paging and limits", () => {
  let pagedExperiment: string;
  const pagedRuns: string[] = [];

  beforeAll(async () => {
    pagedExperiment = await createExperiment("search-paging");
    for (let i = 0; i < 10; i++) pagedRuns.push(await createRun(pagedExperiment, `p${i}`, 10_000 + (i % 3)));
  });

  async function collect(maxResults: number) {
    const seen: string[] = [];
    const sizes: number[] = [];
    let token: string | undefined;
    do {
      const page = await search({
        experiment_ids: [pagedExperiment],
        max_results: maxResults,
        ...(token ? { page_token: token } : {}),
      });
      sizes.push(page.runs.length);
      seen.push(...page.runs.map((run) => run.info.run_id));
      token = page.token;
    } while (token);
    return { seen, sizes };
  }

  it("gives next_page_token while pages are full, with no duplicates or gaps", async () => {
    const { seen, sizes } = await collect(4);
    expect(sizes).toEqual([4, 4, 2]);
    expect(new Set(seen).size).toBe(10);
    expect([...seen].sort()).toEqual([...pagedRuns].sort());
  });

  it("returns an empty last page when the previous one was exactly full", async () => {
    const { seen, sizes } = await collect(5);
    expect(sizes).toEqual([5, 5, 0]);
    expect(new Set(seen).size).toBe(10);
  });

  it("caps max_results at 50000 and refuses non-positive values", async () => {
    await search({ max_results: 50000 });
    await invalid({ max_results: 50001 });
    await invalid({ max_results: 0 });
    await invalid({ max_results: -1 });
  });

  it("refuses an invalid page token", async () => {
    await invalid({ page_token: "definitely not base64 json" });
  });
});

describe("runs/search run_view_type", () => {
  it("returns active, deleted or all runs", async () => {
    const experiment = await createExperiment("search-views");
    await createRun(experiment, "live", 1);
    const gone = await createRun(experiment, "gone", 2);
    await ok("POST", "runs/delete", { run_id: gone });
    const view = async (runViewType?: string) =>
      (await search({ experiment_ids: [experiment], ...(runViewType ? { run_view_type: runViewType } : {}) })).runs
        .map((run) => run.info.run_name)
        .sort();
    expect(await view()).toEqual(["live"]);
    expect(await view("ACTIVE_ONLY")).toEqual(["live"]);
    expect(await view("DELETED_ONLY")).toEqual(["gone"]);
    expect(await view("ALL")).toEqual(["gone", "live"]);
    await invalid({ run_view_type: "SOMETIMES" });
  });
});

describe("runs/search invalid filters", () => {
  it.each([
    "metrics.acc > 'x'",
    "params.model > 'a'",
    "params.model IN ('a')",
    "bogus = 'x'",
    "foo.bar = 'x'",
    "metrics.acc > 1 OR metrics.acc < 0",
    "(metrics.acc > 1)",
    "metrics.acc > 1 AND (params.model = 'svm')",
    "NOT metrics.acc > 1",
    "metrics.acc >",
  ])("refuses %s with a message naming the position", async (filter) => {
    expect(await invalid({ filter })).toMatch(/at position \d+/);
  });
});
