/**
 * The retraining loop: a weak champion is served by alias; `retrain` trains a challenger on new
 * data, scores both on the same fresh labelled rows, promotes the challenger (the alias moves, the
 * model server following it swaps with no failed request), and a rollback puts the champion back.
 * A challenger that does not win is not promoted, and the reason is recorded.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LatheClient } from "../../src/client/client.js";
import { initDataRepo } from "../../src/data/repo.js";
import { retrain } from "../../src/models/retrain.js";
import { trainCommand } from "../../src/models/train-command.js";
import { rollback } from "../../src/registry/promotion.js";
import { IRIS } from "../helpers/datasets.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { type ServingUnderTest, startServing } from "./helpers.js";

let registry: TestServer;
let client: LatheClient;
let serving: ServingUnderTest | undefined;
let folder: string;

beforeAll(async () => {
  registry = await startTestServer();
  client = new LatheClient({ trackingUri: registry.url });
  folder = mkdtempSync(join(tmpdir(), "lathe-retrain-"));
  // The champion: a one-split tree, which cannot tell all three species apart.
  await trainCommand({
    data: IRIS,
    target: "species",
    algo: "tree",
    params: { max_depth: "1" },
    client,
    register: "iris",
  });
  await client.setRegisteredModelAlias("iris", "champion", "1");
});
afterAll(async () => {
  await serving?.close();
  await registry.close();
  rmSync(folder, { recursive: true, force: true });
});

describe("lathe retrain", () => {
  it("promotes a better challenger, and the server following the alias swaps with no failed request", async () => {
    serving = await startServing("models:/iris@champion", { trackingUri: registry.url, pollSeconds: 0.1 });
    const body = {
      dataframe_split: {
        columns: ["sepal_length_cm", "sepal_width_cm", "petal_length_cm", "petal_width_cm"],
        data: [[6.7, 3.0, 5.2, 2.3]],
      },
    };
    const statuses: number[] = [];
    let stop = false;
    const load = (async () => {
      while (!stop) statuses.push((await serving!.post("/invocations", body)).status);
    })();
    const result = await retrain({
      client,
      model: "models:/iris@champion",
      data: IRIS,
      algo: "rf",
      params: { n_estimators: "20" },
      evaluate: IRIS,
    });
    expect(result.promoted).toBe(true);
    expect(result.challenger.score).toBeGreaterThan(result.champion.score);
    expect(result.challenger.version).toBe("2");
    for (let waited = 0; waited < 5000 && serving.server.holder.current?.version !== "2"; waited += 50) await sleep(50);
    stop = true;
    await load;
    expect(serving.server.holder.current?.version).toBe("2");
    expect(statuses.length).toBeGreaterThan(0);
    expect(statuses.every((status) => status === 200)).toBe(true);
    const decision = await client.getRun(result.runId);
    expect(decision.data.tags.find((tag) => tag.key === "lathe.retrain.decision")?.value).toBe("promoted");
  });

  it("is undone by a rollback of the alias", async () => {
    await rollback(client, "iris", "champion");
    expect((await client.getModelVersionByAlias("iris", "champion")).version).toBe("1");
    await client.setRegisteredModelAlias("iris", "champion", "2");
  });

  it("keeps the champion when the challenger does not win, and records why", async () => {
    const evaluation = join(folder, "fresh.csv");
    writeFileSync(
      evaluation,
      "sepal_length_cm,sepal_width_cm,petal_length_cm,petal_width_cm,species\n5.1,3.5,1.4,0.2,setosa\n",
    );
    const result = await retrain({
      client,
      model: "models:/iris@champion",
      data: IRIS,
      algo: "tree",
      params: { max_depth: "1" },
      evaluate: evaluation,
      margin: 0.05,
    });
    expect(result.promoted).toBe(false);
    expect(result.reason).toMatch(/champion kept/);
    expect((await client.getModelVersionByAlias("iris", "champion")).version).toBe("2");
    await expect(retrain({ client, model: "models:/iris/2", data: IRIS, algo: "rf", evaluate: IRIS })).rejects.toThrow(
      /models:\/<name>@<alias>/,
    );
  });

  it("with repro, first reproduces the pipeline that makes the newest data, as tracked runs", async () => {
    const repo = join(folder, "repo");
    mkdirSync(repo);
    execFileSync("git", ["init", "-q", repo]);
    await initDataRepo(repo);
    writeFileSync(join(repo, "source.csv"), readFileSync(IRIS, "utf8"));
    writeFileSync(
      join(repo, "dvc.yaml"),
      "stages:\n  gather:\n    cmd: cp source.csv newest.csv\n    deps: [source.csv]\n    outs: [newest.csv]\n",
    );
    const result = await retrain({
      client,
      model: "models:/iris@champion",
      data: "newest.csv",
      algo: "tree",
      params: { max_depth: "1" },
      evaluate: "newest.csv",
      margin: 0.5,
      repro: true,
      cwd: repo,
    });
    expect(result.reproduced).toEqual(["gather"]);
    expect(result.promoted).toBe(false);
  });
});
