/**
 * Model and dataset cards: the front matter parses as YAML with Hugging Face's keys, the evaluation
 * numbers equal the run's, energy comes from the run, and a dataset card names the .dvc hash that
 * versions the data.
 */
import { execFileSync } from "node:child_process";
import { copyFile, mkdtemp, realpath, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { datasetCard } from "../../src/cards/dataset-card.js";
import { modelCard } from "../../src/cards/model-card.js";
import { LatheClient } from "../../src/client/client.js";
import { addCommand } from "../../src/data/commands.js";
import { initDataRepo } from "../../src/data/repo.js";
import { trainCommand } from "../../src/models/train-command.js";
import { IRIS } from "../helpers/datasets.js";
import { startTestServer, type TestServer } from "../helpers/server.js";

function split(card: string): { front: Record<string, unknown>; body: string } {
  const match = /^---\n([\s\S]*?)\n---\n([\s\S]*)$/.exec(card);
  if (!match) throw new Error("no front matter");
  return { front: parse(match[1]!) as Record<string, unknown>, body: match[2]! };
}

describe("model card", () => {
  let server: TestServer;
  let client: LatheClient;
  beforeAll(async () => {
    server = await startTestServer();
    client = new LatheClient({ trackingUri: server.url });
  });
  afterAll(async () => server.close());

  it("has Hugging Face front matter and the run's evaluation and energy", async () => {
    const trained = await trainCommand({ data: IRIS, target: "species", algo: "logreg", client, register: "iris" });
    await client.setRegisteredModelAlias("iris", "champion", "1");
    const card = await modelCard(client, "models:/iris@champion", { license: "apache-2.0" });
    const { front, body } = split(card);
    expect(front).toMatchObject({
      license: "apache-2.0",
      library_name: "lathe",
      tags: expect.arrayContaining(["tabular-classification"]),
    });
    const [entry] = front["model-index"] as {
      name: string;
      results: { metrics: { type: string; value: number }[] }[];
    }[];
    expect(entry!.name).toBe("iris");
    const accuracy = entry!.results[0]!.metrics.find((metric) => metric.type === "accuracy");
    expect(accuracy!.value).toBeCloseTo(trained.metrics.accuracy!, 5);
    const run = await client.getRun(trained.runId!);
    const f1 = run.data.metrics.find((metric) => metric.key === "f1_macro")!.value;
    expect(body).toContain(`| f1_macro | ${Number(f1.toPrecision(6))} |`);
    expect(body).toContain("| Aliases | champion |");
    expect(body).toMatch(/Training used [\d.e-]+ kWh/);
    await expect(modelCard(client, "models:/iris@champion", { template: "{{nope}}" })).rejects.toThrow(/\{\{nope\}\}/);
    expect(await modelCard(client, "models:/iris/1", { template: "# {{name}} v{{version}}\n" })).toMatch(
      /# iris v1\n$/,
    );
  });
});

describe("dataset card", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await realpath(await mkdtemp(join(tmpdir(), "lathe-card-")));
    execFileSync("git", ["init", "-q", dir]);
    await initDataRepo(dir);
    await copyFile(IRIS, join(dir, "iris.csv"));
  });
  afterAll(async () => {
    execFileSync("chmod", ["-R", "u+w", dir]);
    await rm(dir, { recursive: true, force: true });
  });

  it("has the schema, statistics and, once tracked, the hash that versions the data", async () => {
    const untracked = await datasetCard("iris.csv", { cwd: dir });
    expect(untracked).toContain("run `lathe add iris.csv`");
    const [added] = await addCommand(["iris.csv"], { cwd: dir });
    const { front, body } = split(await datasetCard("iris.csv", { cwd: dir }));
    expect(front).toMatchObject({
      size_categories: ["n<1K"],
      dataset_info: { splits: [{ name: "train", num_examples: 150 }] },
    });
    expect((front.dataset_info as { features: { name: string; dtype: string }[] }).features).toContainEqual({
      name: "species",
      dtype: "string",
    });
    expect(body).toContain("| petal_length_cm | float64 | 0 |");
    expect(body).toContain("3 distinct");
    expect(body).toContain(`md5 \`${added!.md5}\``);
    expect(body).toContain("iris.csv.dvc");
  });
});
