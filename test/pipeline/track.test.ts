/**
 * `lathe repro --track`: each stage that ran becomes a run on a real tracking server, with its
 * parameter values, its metrics, tags, and its dependencies' and outputs' hashes as dataset inputs;
 * a failed stage is recorded as a FAILED run; stages that did not run are not recorded.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { LatheClient } from "../../src/client/client.js";
import { reproduce } from "../../src/pipeline/repro.js";
import { StageClock, trackStages } from "../../src/pipeline/track.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { lathe, makeRepo, removeRepo, writeFiles } from "./helpers.js";

let server: TestServer;
let client: LatheClient;
let root: string;

beforeAll(async () => {
  server = await startTestServer();
  client = new LatheClient({ trackingUri: server.url });
});
afterAll(async () => server.close());
beforeEach(async () => {
  root = await makeRepo();
  await writeFiles(root, {
    "params.yaml": "prepare:\n  rows: 3\ntrain:\n  lr: 0.1\n",
    "raw.txt": "a\nb\nc\nd\n",
    "train.sh": `printf '{"accuracy": 0.9, "per_class": {"a": 0.5}}' > metrics.json\n`,
    "dvc.yaml": `stages:
  prepare:
    desc: Keep the first rows.
    cmd: head -n \${prepare.rows} raw.txt > prepared.txt
    deps: [raw.txt]
    params: [prepare.rows]
    outs: [prepared.txt]
  train:
    cmd: sh train.sh
    deps: [prepared.txt, train.sh]
    params: [train]
    metrics:
      - metrics.json:
          cache: false
`,
  });
});
afterEach(async () => removeRepo(root));

async function runsOf(experiment: string) {
  const found = await client.getExperimentByName(experiment);
  const page = await client.searchRuns({
    experimentIds: [found.experiment_id],
    orderBy: ["attributes.start_time ASC"],
  });
  return page.items;
}

describe("repro --track", () => {
  it("records each stage that ran with params, metrics, tags and hashed inputs and outputs", async () => {
    const clock = new StageClock();
    const result = await reproduce({ cwd: root, onEvent: clock.onEvent });
    const tracked = await trackStages(root, result, { client, experiment: "track-a", clock });
    expect(tracked.map((entry) => [entry.stage, entry.status])).toEqual([
      ["prepare", "FINISHED"],
      ["train", "FINISHED"],
    ]);
    const [prepare, train] = await runsOf("track-a");
    const tags = (run: typeof prepare) => Object.fromEntries(run!.data.tags.map((tag) => [tag.key, tag.value]));
    expect(tags(prepare)).toMatchObject({
      "lathe.stage": "prepare",
      "mlflow.runName": "prepare",
      "mlflow.note.content": "Keep the first rows.",
    });
    expect(prepare!.data.params).toEqual(
      expect.arrayContaining([
        { key: "prepare.rows", value: "3" },
        { key: "cmd", value: "head -n 3 raw.txt > prepared.txt" },
      ]),
    );
    const inputs = prepare!.inputs.dataset_inputs.map((input) => [input.dataset.name, input.tags[0]!.value]);
    expect(inputs).toEqual([
      ["raw.txt", "input"],
      ["prepared.txt", "output"],
    ]);
    expect(train!.data.params).toEqual(expect.arrayContaining([{ key: "train.lr", value: "0.1" }]));
    const metrics = Object.fromEntries(train!.data.metrics.map((metric) => [metric.key, metric.value]));
    expect(metrics).toMatchObject({ accuracy: 0.9, "per_class.a": 0.5 });
    expect(metrics["lathe.stage.duration_seconds"]).toBeGreaterThanOrEqual(0);
    expect(metrics.energy_kwh).toBeGreaterThan(0);
    expect(metrics.emissions_kg).toBeGreaterThan(0);

    // Nothing changed: nothing ran, nothing is recorded.
    const again = await reproduce({ cwd: root });
    expect(await trackStages(root, again, { client, experiment: "track-a" })).toEqual([]);
  });

  it("records a failed stage as a FAILED run, from the command line", async () => {
    await writeFiles(root, {
      "dvc.yaml": "stages:\n  broken:\n    cmd: exit 3\n    deps: [raw.txt]\n    outs: [never.txt]\n",
    });
    const { code, stderr } = await lathe(root, [
      "repro",
      "--track",
      "--experiment",
      "track-b",
      "--tracking-uri",
      server.url,
    ]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/Tracked 1 stage run\(s\) in experiment 'track-b'/);
    const [broken] = await runsOf("track-b");
    expect(broken!.info.status).toBe("FAILED");
    expect(broken!.data.tags.find((tag) => tag.key === "lathe.stage.failure")?.value).toMatch(/exit code 3/);
  });
});
