/**
 * `lathe exp run -S … / exp show`: parameter edits that keep YAML comments, the pipeline run, the
 * experiment record, and the table of workspace, baseline and experiments.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { listExperiments, runExperiment, showExperiments } from "../../src/pipeline/exp.js";
import { applyParamChanges, parseParamChange } from "../../src/pipeline/exp-params.js";
import { commitAll, lathe, makeRepo, removeRepo, writeFiles } from "./metrics-helpers.js";

const PARAMS = `# Training parameters
train:
  lr: 0.10 # learning rate
  layers: [64, 32]
  name: "base"
prepare:
  split: 0.20
`;

let root: string;
beforeEach(async () => {
  root = await makeRepo();
  await writeFiles(root, {
    "dvc.yaml": `stages:
  train:
    cmd: sh train.sh
    deps:
      - train.sh
    params:
      - train.lr
    metrics:
      - metrics.json:
          cache: false
`,
    "params.yaml": PARAMS,
    "train.sh": `lr=$(sed -n 's/^ *lr: \\([0-9.e-]*\\).*/\\1/p' params.yaml)\nprintf '{"score": %s}\\n' "$lr" > metrics.json\n`,
    "metrics.json": '{"score": 0.1}\n',
  });
  commitAll(root, "baseline");
});
afterEach(async () => {
  await removeRepo(root);
});

describe("-S parameter changes", () => {
  it("parses [file:]key=value and the add/upsert/remove forms", () => {
    expect(parseParamChange("train.lr=0.01")).toEqual({
      file: "params.yaml",
      key: "train.lr",
      mode: "set",
      value: 0.01,
      spec: "train.lr=0.01",
    });
    expect(parseParamChange("conf/a.json:+x.y=[1, 2]")).toMatchObject({
      file: "conf/a.json",
      mode: "add",
      value: [1, 2],
    });
    expect(parseParamChange("++flag=true")).toMatchObject({ mode: "upsert", value: true });
    expect(parseParamChange("~train.name")).toMatchObject({ mode: "remove", key: "train.name" });
    expect(parseParamChange("name=a b")).toMatchObject({ value: "a b" });
    expect(() => parseParamChange("train.lr")).toThrow(/there is no '=value'.*\[file:\]key=value/);
    expect(() => parseParamChange("=1")).toThrow(/not a dotted key/);
  });

  it("edits YAML keeping comments and untouched formatting, and JSON by value", async () => {
    await writeFiles(root, { "conf.json": '{"a": {"b": 1}}' });
    await applyParamChanges(root, [
      parseParamChange("train.lr=0.05"),
      parseParamChange("train.layers.1=16"),
      parseParamChange("+train.dropout=0.5"),
      parseParamChange("conf.json:a.b=2"),
    ]);
    const yaml = await readFile(join(root, "params.yaml"), "utf8");
    expect(yaml).toContain("# Training parameters");
    expect(yaml).toContain("lr: 0.05 # learning rate");
    expect(yaml).toContain("layers: [ 64, 16 ]");
    expect(yaml).toContain('name: "base"');
    expect(yaml).toContain("split: 0.20");
    expect(yaml).toContain("dropout: 0.5");
    expect(JSON.parse(await readFile(join(root, "conf.json"), "utf8"))).toEqual({ a: { b: 2 } });
  });

  it("refuses unknown keys, existing keys for +, and formats it cannot edit, changing nothing", async () => {
    await expect(
      applyParamChanges(root, [parseParamChange("train.lr=1"), parseParamChange("train.nope=1")]),
    ).rejects.toThrow(/'train.nope' is not in params.yaml.*\+train.nope=/);
    expect(await readFile(join(root, "params.yaml"), "utf8")).toBe(PARAMS);
    await expect(applyParamChanges(root, [parseParamChange("+train.lr=1")])).rejects.toThrow(/already in params.yaml/);
    await expect(applyParamChanges(root, [parseParamChange("p.toml:a=1")])).rejects.toThrow(
      /only YAML and JSON params files/,
    );
    await expect(applyParamChanges(root, [parseParamChange("missing.yaml:a=1")])).rejects.toThrow(/does not exist/);
  });
});

describe("exp run and exp show", () => {
  it("applies the change, runs the pipeline, records the experiment and leaves the change in place", async () => {
    const baseline = commitAll(root, "again");
    const { record, file } = await runExperiment({ cwd: root, set: ["train.lr=0.02"], name: "lower-lr" });
    expect(file).toBe(join(root, ".dvc", "tmp", "exps", "lower-lr.json"));
    expect(record).toMatchObject({
      name: "lower-lr",
      baseline,
      changes: ["train.lr=0.02"],
      state: "success",
      metrics: { "metrics.json": { score: 0.02 } },
    });
    expect(record.params["params.yaml"]?.["train.lr"]).toBe(0.02);
    expect(Date.parse(record.created)).toBeGreaterThan(0);
    expect(JSON.parse(await readFile(file, "utf8"))).toEqual(record);
    expect(await readFile(join(root, "params.yaml"), "utf8")).toContain("lr: 0.02 # learning rate");

    await expect(runExperiment({ cwd: root, set: ["train.lr=0.03"], name: "lower-lr" })).rejects.toThrow(
      /Experiment 'lower-lr' already exists/,
    );
    const second = await runExperiment({ cwd: root, set: ["train.lr=0.5"] });
    expect(second.record.name).toMatch(/^[a-z]+-[a-z]+$/);
    expect((await listExperiments(root)).map((item) => item.name)).toEqual(["lower-lr", second.record.name]);

    const rows = await showExperiments({ cwd: root });
    expect(rows.map((row) => [row.experiment, row.kind, row.metrics["metrics.json"]?.score])).toEqual([
      ["workspace", "workspace", 0.5],
      [baseline.slice(0, 7), "baseline", 0.1],
      ["lower-lr", "experiment", 0.02],
      [second.record.name, "experiment", 0.5],
    ]);
    const csv = (await lathe(root, "exp", "show", "--csv")).trim().split("\n");
    expect(csv[0]).toBe(
      "Experiment,Created,State,score,train.lr,train.layers.0,train.layers.1,train.name,prepare.split",
    );
    expect(csv[3]).toMatch(/^lower-lr,\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,success,0.02,0.02,64,32,base,0.2$/);
    const md = await lathe(root, "exp", "show", "--md");
    expect(md).toContain("| workspace |  |  | 0.5 | 0.5 |");
  });

  it("runs through the CLI with repeated -S and prints the record as JSON when piped", async () => {
    const printed = JSON.parse(
      await lathe(root, "exp", "run", "-S", "train.lr=0.07", "-S", "prepare.split=0.3", "-n", "cli-run"),
    );
    expect(printed).toMatchObject({ name: "cli-run", changes: ["train.lr=0.07", "prepare.split=0.3"] });
    expect(printed.metrics["metrics.json"].score).toBe(0.07);
  });

  it("records a failed run and says which stage failed; refuses bad names", async () => {
    await writeFiles(root, { "dvc.yaml": "stages:\n  boom:\n    cmd: exit 3\n    params:\n      - train.lr\n" });
    await expect(runExperiment({ cwd: root, set: ["train.lr=1"], name: "broken" })).rejects.toThrow(
      /Experiment 'broken' failed: stage 'boom'/,
    );
    expect((await listExperiments(root))[0]).toMatchObject({ name: "broken", state: "failed" });
    await expect(runExperiment({ cwd: root, name: "../escape" })).rejects.toThrow(/name '..\/escape' is not allowed/);
  });
});
