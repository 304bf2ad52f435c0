import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDatabase } from "./database.js";
import { SqlTrackingStore } from "./sql-store.js";

let dir: string;
let stores: SqlTrackingStore[];

async function openStore(cacheSearches = true): Promise<SqlTrackingStore> {
  const opened = await openDatabase(`sqlite:///${join(dir, "mlruns.db")}`, "/");
  const store = await SqlTrackingStore.open(opened, { defaultArtifactRoot: join(dir, "artifacts"), cacheSearches });
  stores.push(store);
  return store;
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "lathe-search-cache-"));
  stores = [];
});
afterEach(async () => {
  for (const store of stores) await store.close();
  await rm(dir, { recursive: true, force: true });
});

const query = { experimentIds: ["0"], filter: "metrics.acc > 0.5", orderBy: ["metrics.acc DESC"] };

describe("search cache", () => {
  it("answers a repeated search from memory while nothing changes", async () => {
    const store = await openStore();
    const run = await store.createRun({ experimentId: "0" });
    await store.logMetric(run.info.run_id, { key: "acc", value: 0.9, timestamp: 1, step: 0 });
    const first = await store.searchRuns(query);
    const second = await store.searchRuns(query);
    expect(second).toBe(first);
    expect(store.searchCache?.hits).toBe(1);
  });

  it("sees every kind of write made through the same store at once", async () => {
    const store = await openStore();
    const run = await store.createRun({ experimentId: "0" });
    const id = run.info.run_id;
    await store.logMetric(id, { key: "acc", value: 0.4, timestamp: 1, step: 0 });
    expect((await store.searchRuns(query)).items).toHaveLength(0);
    await store.logMetric(id, { key: "acc", value: 0.8, timestamp: 2, step: 1 });
    expect((await store.searchRuns(query)).items.map((found) => found.info.run_id)).toEqual([id]);
    await store.setTag(id, { key: "note", value: "x" });
    expect((await store.searchRuns(query)).items[0]!.data.tags.some((tag) => tag.key === "note")).toBe(true);
    await store.logBatch({ runId: id, metrics: [], params: [{ key: "lr", value: "0.1" }], tags: [] });
    expect((await store.searchRuns(query)).items[0]!.data.params).toEqual([{ key: "lr", value: "0.1" }]);
    await store.deleteRun(id);
    expect((await store.searchRuns(query)).items).toHaveLength(0);
    await store.restoreRun(id);
    expect((await store.searchRuns(query)).items).toHaveLength(1);
  });

  it("sees writes another process's connection commits to the same database file", async () => {
    const reader = await openStore();
    const writer = await openStore();
    const run = await writer.createRun({ experimentId: "0" });
    expect((await reader.searchRuns(query)).items).toHaveLength(0);
    await writer.logMetric(run.info.run_id, { key: "acc", value: 0.7, timestamp: 1, step: 0 });
    expect((await reader.searchRuns(query)).items).toHaveLength(1);
    await writer.setTag(run.info.run_id, { key: "mlflow.runName", value: "renamed" });
    expect((await reader.searchRuns(query)).items[0]!.info.run_name).toBe("renamed");
  });

  it("keys pages by every search input", async () => {
    const store = await openStore();
    for (const value of [0.6, 0.7, 0.8]) {
      const run = await store.createRun({ experimentId: "0" });
      await store.logMetric(run.info.run_id, { key: "acc", value, timestamp: 1, step: 0 });
    }
    const page = await store.searchRuns({ ...query, maxResults: 2 });
    expect(page.items).toHaveLength(2);
    const next = await store.searchRuns({ ...query, maxResults: 2, pageToken: page.nextPageToken });
    expect(next.items).toHaveLength(1);
    expect((await store.searchRuns({ ...query, orderBy: ["metrics.acc ASC"] })).items[0]!.data.metrics[0]!.value).toBe(
      0.6,
    );
    expect((await store.searchRuns({ ...query, viewType: "DELETED_ONLY" })).items).toHaveLength(0);
  });

  it("reuses the runs an earlier page read for a new search until the data changes", async () => {
    const store = await openStore();
    const run = await store.createRun({ experimentId: "0" });
    const id = run.info.run_id;
    await store.logMetric(id, { key: "acc", value: 0.9, timestamp: 1, step: 0 });
    const [first] = (await store.searchRuns(query)).items;
    const [again] = (await store.searchRuns({ ...query, filter: "metrics.acc > 0.4" })).items;
    expect(again).toBe(first);
    await store.setTag(id, { key: "note", value: "changed" });
    const [changed] = (await store.searchRuns({ ...query, filter: "metrics.acc > 0.3" })).items;
    expect(changed).not.toBe(first);
    expect(changed!.data.tags).toContainEqual({ key: "note", value: "changed" });
  });

  it("drops remembered runs when another process's connection writes", async () => {
    const reader = await openStore();
    const writer = await openStore();
    const run = await writer.createRun({ experimentId: "0" });
    await writer.logMetric(run.info.run_id, { key: "acc", value: 0.9, timestamp: 1, step: 0 });
    expect((await reader.searchRuns(query)).items[0]!.data.params).toEqual([]);
    await writer.logBatch({ runId: run.info.run_id, metrics: [], params: [{ key: "lr", value: "0.1" }], tags: [] });
    const [found] = (await reader.searchRuns({ ...query, filter: "metrics.acc > 0.4" })).items;
    expect(found!.data.params).toEqual([{ key: "lr", value: "0.1" }]);
  });

  it("can be turned off", async () => {
    const store = await openStore(false);
    expect(store.searchCache).toBeUndefined();
    await store.searchRuns(query);
  });
});
