/**
 * The registry store answers the same searches alike on SQLite and on PostgreSQL: names ordered
 * byte-wise whatever the database's locale, missing values (a version without a run) placed where
 * SQLite places them, LIKE without escape characters. Skipped without LATHE_TEST_PG_URL.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SqlRegistryStore } from "../../src/registry/store/sql-store.js";
import { openDatabase } from "../../src/tracking/store/database.js";
import { SqlTrackingStore } from "../../src/tracking/store/sql-store.js";
import { createTestDatabase, PG_SKIP_MESSAGE, PG_TEST_URL } from "../helpers/postgres.js";

const MODEL_NAMES = ["b", "B", "_m", "a", "a\\x", "a-y", "Z", "10", "9"];

async function registryAnswers(uri: string): Promise<string[][]> {
  const opened = await openDatabase(uri);
  const tracking = await SqlTrackingStore.open(opened, { defaultArtifactRoot: "/tmp/parity" });
  const registry = await SqlRegistryStore.open(opened);
  try {
    const run = await tracking.createRun({ experimentId: "0", startTime: 1 });
    for (const [index, name] of MODEL_NAMES.entries()) {
      await registry.createRegisteredModel({ name });
      for (let version = 0; version < 2; version++) {
        await registry.createModelVersion({
          name,
          source: `s3://bucket/${index}/${version}`,
          ...((index + version) % 2 === 0 ? { runId: run.info.run_id } : {}),
        });
      }
    }
    const answers: string[][] = [];
    for (const query of [
      { orderBy: ["name ASC"] },
      { orderBy: ["name DESC"] },
      { filter: "name LIKE 'a%'", orderBy: ["name ASC"] },
      { filter: "name LIKE 'a\\\\%'" },
      { filter: "name ILIKE 'A%'", orderBy: ["name DESC"] },
    ]) {
      answers.push((await registry.searchRegisteredModels(query)).items.map((model) => model.name));
    }
    for (const orderBy of [["run_id ASC"], ["run_id DESC"], ["source_path DESC"], ["name ASC", "version_number ASC"]]) {
      const versions = await registry.searchModelVersions({ orderBy });
      answers.push(versions.items.map((item) => `${item.name}/${item.version}/${item.run_id ? "run" : "-"}`));
    }
    return answers;
  } finally {
    await tracking.close();
  }
}

describe.skipIf(!PG_TEST_URL)("registry searches on SQLite and PostgreSQL", () => {
  it("answer alike", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lathe-registry-parity-"));
    const database = await createTestDatabase({ icuLocale: "en" });
    try {
      const onSqlite = await registryAnswers(`sqlite:///${join(dir, "parity.db")}`);
      const onPostgres = await registryAnswers(database.uri);
      expect(onPostgres).toEqual(onSqlite);
      expect(onSqlite[0]).toEqual(["10", "9", "B", "Z", "_m", "a", "a-y", "a\\x", "b"]);
      expect(onSqlite[5]![0]).toMatch(/\/-$/);
    } finally {
      await database.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

if (!PG_TEST_URL) it.skip(PG_SKIP_MESSAGE, () => {});
