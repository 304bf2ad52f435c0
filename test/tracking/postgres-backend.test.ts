/**
 * What only PostgreSQL has: its URI forms and connection errors, and `lathe server` started from the
 * command line on PostgreSQL, driven by the npm `mlflow` client, alone and as two processes on one
 * database writing at once. The shared suites run on PostgreSQL through `postgres.test.ts`.
 */

import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { LatheError } from "../../src/core/errors.js";
import { openDatabase, postgresConnectionString } from "../../src/tracking/store/database.js";
import { SqlTrackingStore } from "../../src/tracking/store/sql-store.js";
import { createTestDatabase, PG_SKIP_MESSAGE, PG_TEST_URL, type TestDatabase } from "../helpers/postgres.js";
import { type ServerProcess, spawnServer, waitForExit } from "../helpers/process-server.js";

type MLflowClass = typeof import("mlflow").default;
const require = createRequire(import.meta.url);
const MLflow = require("mlflow") as MLflowClass;

async function post(url: string, path: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${url}/api/2.0/mlflow/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as Record<string, unknown>;
  if (response.status !== 200) throw new Error(`${path}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

async function stop(server: ServerProcess | undefined): Promise<void> {
  if (!server) return;
  server.child.kill("SIGTERM");
  await waitForExit(server.child);
}

describe("PostgreSQL backend store URIs", () => {
  it("accepts postgresql://, postgres:// and SQLAlchemy's postgresql+driver:// forms", () => {
    expect(postgresConnectionString("postgresql://u@h:5432/db")).toBe("postgresql://u@h:5432/db");
    expect(postgresConnectionString("postgres://u@h/db")).toBe("postgresql://u@h/db");
    expect(postgresConnectionString("postgresql+psycopg2://u:p@h:6543/db?sslmode=disable")).toBe(
      "postgresql://u:p@h:6543/db?sslmode=disable",
    );
  });

  it("names host, port and the fix when nothing listens there", async () => {
    const error = await openDatabase("postgresql://postgres@127.0.0.1:1/lathe").catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LatheError);
    expect((error as LatheError).message).toContain("127.0.0.1:1");
    expect((error as LatheError).message).toContain("Check that the server is running");
  });
});

describe.skipIf(!PG_TEST_URL)("lathe server on PostgreSQL", () => {
  let database: TestDatabase;
  const servers: ServerProcess[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
  });

  afterAll(async () => {
    for (const server of servers) await stop(server);
    await database?.drop();
  });

  it("says which database is missing and how to create it", async () => {
    const missing = new URL(database.uri);
    missing.pathname = "/lathe_no_such_database";
    const error = await openDatabase(missing.toString()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LatheError);
    expect((error as LatheError).message).toContain("Database 'lathe_no_such_database' does not exist");
    expect((error as LatheError).message).toContain("CREATE DATABASE");
  });

  it("serves the npm mlflow client from --backend-store-uri postgresql+psycopg2://", async () => {
    const uri = database.uri.replace(/^postgresql:/, "postgresql+psycopg2:");
    const server = await spawnServer(["--backend-store-uri", uri]);
    servers.push(server);
    const log = vi.spyOn(console, "log").mockImplementation(() => undefined);
    try {
      const client = new MLflow({ endpoint: server.url });
      const { experiment_id } = await client.Experiments.create({
        name: "pg-e2e",
        artifact_location: undefined as never,
      });
      const { run } = await client.Runs.create({
        experiment_id,
        user_id: "ada",
        start_time: 1,
        tags: [{ key: "mlflow.runName", value: "first" }],
      });
      const runId = run.info.run_id as string;
      await client.Runs.logParameter({ run_id: runId, key: "lr", value: "0.1" });
      await client.Runs.logMetric({ run_id: runId, key: "loss", value: 0.5, timestamp: 1, step: 0 });
      await client.Runs.logMetric({ run_id: runId, key: "loss", value: 0.25, timestamp: 2, step: 1 });
      const fetched = await client.Runs.get({ run_id: runId });
      expect(fetched.run.data.params).toEqual([{ key: "lr", value: "0.1" }]);
      expect(fetched.run.data.metrics).toEqual([{ key: "loss", value: 0.25, timestamp: 2, step: 1 }]);
      const found = await client.Runs.search({ experiment_ids: [experiment_id], filter: "metrics.loss < 0.3" });
      expect(found.runs.map((item: { info: { run_id: string } }) => item.info.run_id)).toEqual([runId]);
    } finally {
      log.mockRestore();
    }
  });

  it("keeps every write and numbers versions uniquely with two server processes on one database", async () => {
    const second = await spawnServer(["--backend-store-uri", database.uri]);
    servers.push(second);
    const [first] = servers;
    const urls = [first!.url, second.url];
    const { experiment_id } = (await post(urls[0]!, "experiments/create", { name: "replicas" })) as {
      experiment_id: string;
    };
    const run = (await post(urls[1]!, "runs/create", { experiment_id })) as { run: { info: { run_id: string } } };
    const runId = run.run.info.run_id;
    await post(urls[0]!, "registered-models/create", { name: "shared" });
    const writes = Array.from({ length: 200 }, (_, step) =>
      post(urls[step % 2]!, "runs/log-batch", {
        run_id: runId,
        metrics: [
          { key: "a", value: step, timestamp: 1, step },
          { key: "b", value: -step, timestamp: 1, step },
        ],
        tags: [{ key: "writer", value: String(step % 2) }],
      }),
    );
    const versions = Array.from({ length: 30 }, (_, index) =>
      post(urls[index % 2]!, "model-versions/create", { name: "shared", source: `s3://bucket/${index}` }),
    );
    const experiments = Array.from({ length: 10 }, (_, index) =>
      post(urls[index % 2]!, "experiments/create", { name: `race-${index}` }),
    );
    await Promise.all([...writes, ...experiments]);
    const numbers = (await Promise.all(versions)).map((body) =>
      Number((body.model_version as { version: string }).version),
    );
    expect(numbers.sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, index) => index + 1));
    for (const key of ["a", "b"]) {
      const history = await fetch(
        `${urls[0]}/api/2.0/mlflow/metrics/get-history?run_id=${runId}&metric_key=${key}`,
      ).then((response) => response.json() as Promise<{ metrics: unknown[] }>);
      expect(history.metrics).toHaveLength(200);
    }
    // Params are immutable across processes too: of two different values sent at once, one lands.
    const conflicting = await Promise.all(
      urls.map((url, index) =>
        fetch(`${url}/api/2.0/mlflow/runs/log-parameter`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ run_id: runId, key: "seed", value: String(index) }),
        }).then((response) => response.status),
      ),
    );
    expect(conflicting.sort()).toEqual([200, 400]);
    const aliasMoves = Array.from({ length: 20 }, (_, index) =>
      post(urls[index % 2]!, "registered-models/alias", {
        name: "shared",
        alias: "champion",
        version: String(index + 1),
      }),
    );
    await Promise.all(aliasMoves);
    const model = await fetch(`${urls[1]}/api/2.0/mlflow/registered-models/get?name=shared`).then(
      (response) => response.json() as Promise<{ registered_model: { aliases: unknown[] } }>,
    );
    expect(model.registered_model.aliases).toHaveLength(1);
    const ids = await fetch(`${urls[0]}/api/2.0/mlflow/experiments/search?max_results=100`).then(
      (response) => response.json() as Promise<{ experiments: { experiment_id: string }[] }>,
    );
    const unique = new Set(ids.experiments.map((experiment) => experiment.experiment_id));
    expect(unique.size).toBe(ids.experiments.length);
    expect(ids.experiments).toHaveLength(13);
  });
});

/** Runs whose param `p`, tag `t` and metric `m` take values where the two databases could disagree. */
const PARITY_VALUES = ["b", "B", "a", "_", "a\\b", "a%b", "é", "Z", "10", "9", "ab", "A_B"];
const PARITY_METRICS = [
  Number.NaN,
  1,
  Number.POSITIVE_INFINITY,
  -1,
  Number.NEGATIVE_INFINITY,
  0,
  1,
  Number.NaN,
  2,
  0.5,
  3,
];

async function parityAnswers(uri: string): Promise<string[][]> {
  const store = await SqlTrackingStore.open(await openDatabase(uri), { defaultArtifactRoot: "/tmp/parity" });
  try {
    const experimentId = await store.createExperiment({ name: "parity" });
    for (const [index, value] of PARITY_VALUES.entries()) {
      const run = await store.createRun({ experimentId, runName: `r${index}`, startTime: 1000 + index });
      const metric = PARITY_METRICS[index];
      await store.logBatch({
        runId: run.info.run_id,
        params: [{ key: "p", value }],
        tags: [{ key: "t", value: value.toUpperCase() }],
        metrics: metric === undefined ? [] : [{ key: "m", value: metric, timestamp: 1, step: 0 }],
      });
    }
    const queries: { filter?: string; orderBy?: string[] }[] = [
      { orderBy: ["params.p ASC"] },
      { orderBy: ["params.p DESC"] },
      { orderBy: ["tags.t ASC", "metrics.m DESC"] },
      { orderBy: ["metrics.m ASC"] },
      { orderBy: ["metrics.m DESC"] },
      { filter: "metrics.m > -1", orderBy: ["metrics.m DESC"] },
      { filter: "metrics.m != 1" },
      { filter: "params.p LIKE 'a%'" },
      { filter: "params.p LIKE 'a\\%'" },
      { filter: "params.p ILIKE 'a_b'" },
      { filter: "tags.t != 'B'", orderBy: ["tags.t DESC"] },
      { filter: "attributes.run_name LIKE 'r1%'", orderBy: ["attributes.run_name DESC"] },
      { orderBy: ["attributes.start_time ASC"] },
      { filter: "attributes.start_time > 1003.5", orderBy: ["attributes.start_time ASC"] },
    ];
    const answers: string[][] = [];
    for (const query of queries) {
      const page = await store.searchRuns({ experimentIds: [experimentId], ...query });
      answers.push(page.items.map((run) => run.info.run_name));
    }
    const one = (await store.searchRuns({ experimentIds: [experimentId], filter: "attributes.run_name = 'r0'" }))
      .items[0];
    answers.push([JSON.stringify(one?.data)]);
    // Ids past 32 bits are "not found" on both, not an out-of-range error on one.
    const huge = await store.getExperiment("99999999999").catch((error: Error) => error.message);
    answers.push([String(huge)]);
    return answers;
  } finally {
    await store.close();
  }
}

describe.skipIf(!PG_TEST_URL)("SQLite and PostgreSQL answer alike", () => {
  it("orders and filters strings byte-wise, NaN and missing values last, LIKE without escapes", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lathe-parity-"));
    // A database whose own collation sorts "_" first and ignores case, unlike SQLite.
    const database = await createTestDatabase({ icuLocale: "en" });
    try {
      const onSqlite = await parityAnswers(`sqlite:///${join(dir, "parity.db")}`);
      const onPostgres = await parityAnswers(database.uri);
      expect(onPostgres).toEqual(onSqlite);
      // The run ids differ, the order of names must not: spot-check that the answers mean something.
      expect(onSqlite[0]!.slice(0, 5)).toEqual(["r8", "r9", "r11", "r1", "r7"]);
    } finally {
      await database.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!PG_TEST_URL)("what PostgreSQL cannot store", () => {
  it("refuses a NUL character with a 400 that says why", async () => {
    const database = await createTestDatabase();
    const store = await SqlTrackingStore.open(await openDatabase(database.uri), { defaultArtifactRoot: "/tmp/nul" });
    try {
      const run = await store.createRun({ experimentId: "0" });
      const error = await store
        .logParam(run.info.run_id, { key: "k", value: "a\u0000b" })
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(LatheError);
      expect((error as LatheError).code).toBe("INVALID_PARAMETER_VALUE");
      expect((error as LatheError).message).toContain("NUL character");
      await store.logParam(run.info.run_id, { key: "k", value: "ab" });
      expect((await store.getRun(run.info.run_id)).data.params).toEqual([{ key: "k", value: "ab" }]);
    } finally {
      await store.close();
      await database.drop();
    }
  });
});

if (!PG_TEST_URL) it.skip(PG_SKIP_MESSAGE, () => {});
