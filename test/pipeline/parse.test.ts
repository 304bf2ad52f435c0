/**
 * dvc.yaml parsing: every stage key, templating, foreach/matrix names, and errors that name the
 * file, the line and the fix.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LatheError } from "../../src/core/errors.js";
import { StageGraph } from "../../src/pipeline/graph.js";
import { loadPipelines, parsePipeline } from "../../src/pipeline/parse.js";
import type { FileSource } from "../../src/pipeline/types.js";

function memory(files: Record<string, string>): FileSource {
  return {
    read: async (path) => files[path],
    find: async (name) =>
      Object.keys(files)
        .filter((path) => path === name || path.endsWith(`/${name}`))
        .sort(),
  };
}

async function parse(yaml: string, extra: Record<string, string> = {}) {
  return parsePipeline(yaml, "dvc.yaml", memory({ "dvc.yaml": yaml, ...extra }));
}

async function parseError(yaml: string, extra: Record<string, string> = {}): Promise<string> {
  try {
    const pipeline = await parse(yaml, extra);
    new StageGraph([pipeline]);
  } catch (error) {
    expect(error).toBeInstanceOf(LatheError);
    return (error as Error).message;
  }
  throw new Error("expected a LatheError");
}

describe("dvc.yaml stages", () => {
  it("reads every stage key with DVC's defaults", async () => {
    const pipeline = await parse(`stages:
  train:
    desc: Train the model
    wdir: src
    cmd:
      - python train.py
      - echo done
    deps:
      - ../data/features
      - train.py
    params:
      - train.lr
      - custom.yaml: [a.b, c]
      - whole.json:
    outs:
      - ../model.pkl
      - ../cache-off: {cache: false, persist: true, remote: other, push: false, desc: no cache}
    metrics:
      - ../metrics.json: {cache: false}
    plots:
      - ../plots.csv: {x: epoch, y: loss, template: linear, title: Loss, header: true}
    frozen: true
    always_changed: true
    meta: {owner: me}
`);
    const [stage] = pipeline.stages;
    expect(stage).toMatchObject({
      name: "train",
      file: "dvc.yaml",
      wdir: "src",
      cmd: ["python train.py", "echo done"],
      cmdText: ["python train.py", "echo done"],
      deps: ["../data/features", "train.py"],
      params: [
        { file: "params.yaml", keys: ["train.lr"] },
        { file: "custom.yaml", keys: ["a.b", "c"] },
        { file: "whole.json", keys: "all" },
      ],
      outs: [
        { path: "../model.pkl", cache: true, persist: false },
        { path: "../cache-off", cache: false, persist: true, remote: "other", push: false, desc: "no cache" },
      ],
      metrics: [{ path: "../metrics.json", cache: false, persist: false }],
      plots: [{ path: "../plots.csv", x: "epoch", y: "loss", template: "linear", title: "Loss", header: true }],
      frozen: true,
      alwaysChanged: true,
      desc: "Train the model",
      meta: { owner: "me" },
    });
  });

  it("reads top-level metrics, params and plots (path or {id: {...}})", async () => {
    const pipeline = await parse(`stages: {}
metrics: [eval/metrics.json]
params: [extra.yaml]
plots:
  - eval/importance.png
  - ROC:
      x: fpr
      y: {eval/roc.json: tpr}
  - eval/loss.csv: {x: step}
`);
    expect(pipeline.metrics).toEqual(["eval/metrics.json"]);
    expect(pipeline.params).toEqual(["extra.yaml"]);
    expect(pipeline.plots).toEqual([
      { path: "eval/importance.png" },
      { id: "ROC", x: "fpr", y: { "eval/roc.json": "tpr" } },
      { id: "eval/loss.csv", path: "eval/loss.csv", x: "step" },
    ]);
  });

  it("finds nested dvc.yaml files and resolves their stages' wdir", async () => {
    const source = memory({
      "dvc.yaml": "stages:\n  a:\n    cmd: echo a\n",
      "sub/dvc.yaml": "stages:\n  b:\n    cmd: echo b\n    wdir: inner\n",
    });
    const pipelines = await loadPipelines(source);
    expect(pipelines.map((pipeline) => [pipeline.file, pipeline.dir, pipeline.stages[0]!.wdir])).toEqual([
      ["dvc.yaml", ".", "."],
      ["sub/dvc.yaml", "sub", "sub/inner"],
    ]);
  });

  it("parses the get-started pipeline with its params", async () => {
    const dir = join(import.meta.dirname, "../fixtures/pipeline/get-started");
    const files = {
      "dvc.yaml": await readFile(join(dir, "dvc.yaml"), "utf8"),
      "params.yaml": await readFile(join(dir, "params.yaml"), "utf8"),
    };
    const [pipeline] = await loadPipelines(memory(files));
    const graph = new StageGraph([pipeline!]);
    expect(graph.order().map((stage) => stage.name)).toEqual(["prepare", "featurize", "train", "evaluate"]);
    expect(
      graph
        .upstream(pipeline!.stages[3]!)
        .map((stage) => stage.name)
        .sort(),
    ).toEqual(["featurize", "train"]);
    expect(pipeline!.metrics).toEqual(["eval/metrics.json"]);
    expect(pipeline!.plots.map((plot) => plot.id ?? plot.path)).toEqual([
      "ROC",
      "Confusion-Matrix",
      "Precision-Recall",
      "eval/plots/images/importance.png",
    ]);
    expect(pipeline!.stages[2]!.params).toEqual([
      { file: "params.yaml", keys: ["train.seed", "train.n_est", "train.min_split"] },
    ]);
  });
});

describe("templating", () => {
  const params =
    "model:\n  lr: 0.001\n  layers: [16, 32]\nflags:\n  epochs: 3\n  verbose: true\n  quiet: false\n  name: my run\n";

  it("resolves nested keys and indexes, keeps whole-value types, honours the backslash escape", async () => {
    const pipeline = await parse(
      `vars:
  - sizes: [small, large]
  - extra.yaml:threshold
stages:
  train:
    cmd: python train.py --lr \${model.lr} --first \${model.layers[0]} --last \${model.layers[-1]} --home \\\${HOME} --t \${threshold}
    deps:
      - \${sizes[1]}.csv
    outs:
      - model-\${model.layers[1]}.bin
    frozen: \${flags.verbose}
`,
      { "params.yaml": params, "extra.yaml": "threshold: 0.5\nunused: 1\n" },
    );
    const [stage] = pipeline.stages;
    const home = `$\{HOME}`;
    expect(stage!.cmd).toEqual([`python train.py --lr 0.001 --first 16 --last 32 --home ${home} --t 0.5`]);
    expect(stage!.deps).toEqual(["large.csv"]);
    expect(stage!.outs[0]!.path).toBe("model-32.bin");
    expect(stage!.frozen).toBe(true);
  });

  it("lets vars list params.yaml again, and stage vars extend the context of that stage only", async () => {
    const pipeline = await parse(
      `vars:
  - params.yaml
  - extra.yaml
stages:
  a:
    vars:
      - local: here
    cmd: echo \${model.lr} \${threshold} \${local}
  b:
    cmd: echo \${threshold}
`,
      { "params.yaml": params, "extra.yaml": "threshold: 0.5\n" },
    );
    expect(pipeline.stages.map((stage) => stage.cmd[0])).toEqual(["echo 0.001 0.5 here", "echo 0.5"]);
    const error = await parseError(`stages:\n  b:\n    cmd: echo \${local}\n`);
    expect(error).toMatch(/^dvc\.yaml:3: cannot resolve .*'local' is not defined/);
  });

  it("turns a dictionary in cmd into flags (store_true booleans, quoted strings)", async () => {
    const pipeline = await parse(`stages:\n  run:\n    cmd: python run.py \${flags}\n`, { "params.yaml": params });
    expect(pipeline.stages[0]!.cmd).toEqual(["python run.py --epochs 3 --verbose --name 'my run'"]);
  });

  it("expands foreach over a list, a list of dicts, a dict and a reference, named as DVC names them", async () => {
    const pipeline = await parse(
      `vars:
  - models: {us: 1, eu: 2}
stages:
  simple:
    foreach: [a, b]
    do:
      cmd: echo \${item}
  records:
    foreach:
      - {name: x, n: 1}
      - {name: y, n: 2}
    do:
      cmd: echo \${item.name} \${item.n}
  regions:
    foreach: \${models}
    do:
      cmd: echo \${key} \${item}
      outs:
        - out-\${key}.txt
`,
    );
    expect(pipeline.stages.map((stage) => [stage.name, stage.cmd[0]])).toEqual([
      ["simple@a", "echo a"],
      ["simple@b", "echo b"],
      ["records@0", "echo x 1"],
      ["records@1", "echo y 2"],
      ["regions@us", "echo us 1"],
      ["regions@eu", "echo eu 2"],
    ]);
    expect(pipeline.stages[5]!.outs[0]!.path).toBe("out-eu.txt");
  });

  it("expands matrix as a Cartesian product named stage@a-b (index names for list values)", async () => {
    const pipeline = await parse(`stages:
  fit:
    matrix:
      model: [cnn, xgb]
      lr: [0.1, 1]
      shape: [[1, 2]]
    cmd: fit \${item.model} \${item.lr}
`);
    expect(pipeline.stages.map((stage) => [stage.name, stage.cmd[0]])).toEqual([
      ["fit@cnn-0.1-shape0", "fit cnn 0.1"],
      ["fit@cnn-1-shape0", "fit cnn 1"],
      ["fit@xgb-0.1-shape0", "fit xgb 0.1"],
      ["fit@xgb-1-shape0", "fit xgb 1"],
    ]);
  });
});

describe("errors name the file, the line and the fix", () => {
  it("an unknown stage key", async () => {
    const message = await parseError("stages:\n  train:\n    cmd: echo\n    outz: [a]\n");
    expect(message).toMatch(/^dvc\.yaml:4: unknown key 'outz' in stage 'train'\. Use only cmd, wdir, deps/);
  });

  it("a missing cmd", async () => {
    expect(await parseError("stages:\n  train:\n    deps: [a]\n")).toMatch(
      /^dvc\.yaml:2: stage 'train' needs a 'cmd'.*Add e\.g\./,
    );
  });

  it("an unknown top-level key", async () => {
    expect(await parseError("stages: {}\nstagez: {}\n")).toMatch(/^dvc\.yaml:2: unknown top-level key 'stagez'/);
  });

  it("a YAML syntax error", async () => {
    expect(await parseError("stages:\n  a:\n    cmd: [echo\n")).toMatch(
      /^dvc\.yaml:\d+: YAML does not parse.*Fix the syntax/,
    );
  });

  it("a bad template reference", async () => {
    const message = await parseError(`stages:\n  a:\n    cmd: echo \${model.depth}\n`, {
      "params.yaml": "model: {lr: 1}\n",
    });
    expect(message).toMatch(
      /^dvc\.yaml:3: cannot resolve 'echo \$\{model\.depth\}': 'model' has no key 'depth'\. Define the name/,
    );
  });

  it("a variable defined twice", async () => {
    const message = await parseError("vars:\n  - lr: 1\nstages: {}\n", { "params.yaml": "lr: 2\n" });
    expect(message).toMatch(/^dvc\.yaml:2: 'lr' from vars\[0\] is already defined/);
  });

  it("a bad option type", async () => {
    expect(await parseError("stages:\n  a:\n    cmd: x\n    outs:\n      - m.json: {cache: no}\n")).toMatch(
      /^dvc\.yaml:5: 'cache' of 'm\.json' must be true or false/,
    );
  });

  it("an output claimed by two stages", async () => {
    const message = await parseError("stages:\n  a:\n    cmd: x\n    outs: [out]\n  b:\n    cmd: y\n    outs: [out]\n");
    expect(message).toMatch(
      /^dvc\.yaml:7: output 'out' of stage 'b' is also an output of stage 'a' \(dvc\.yaml:4\).*remove it/,
    );
  });

  it("overlapping outputs", async () => {
    const message = await parseError(
      "stages:\n  a:\n    cmd: x\n    outs: [data]\n  b:\n    cmd: y\n    outs: [data/part]\n",
    );
    expect(message).toMatch(/^dvc\.yaml:7: output 'data\/part' of stage 'b' is inside output 'data' of stage 'a'/);
  });

  it("a cycle, with the path of stage names", async () => {
    const message = await parseError(
      "stages:\n  a:\n    cmd: x\n    deps: [c.txt]\n    outs: [a.txt]\n  b:\n    cmd: y\n    deps: [a.txt]\n    outs: [b.txt]\n  c:\n    cmd: z\n    deps: [b.txt]\n    outs: [c.txt]\n",
    );
    expect(message).toMatch(
      /^dvc\.yaml:\d+: the pipeline has a cycle: (a -> b -> c -> a|b -> c -> a -> b|c -> a -> b -> c)\./,
    );
  });

  it("a bad stage name and foreach without do", async () => {
    expect(await parseError("stages:\n  a/b:\n    cmd: x\n")).toMatch(/^dvc\.yaml:2: stage name 'a\/b' is not allowed/);
    expect(await parseError("stages:\n  a:\n    foreach: [1]\n")).toMatch(
      /^dvc\.yaml:2: stage 'a' has 'foreach' but no 'do'/,
    );
  });
});
