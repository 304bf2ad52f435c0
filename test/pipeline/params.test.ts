/**
 * `lathe params diff` against temporary git repositories: which params files are compared, value
 * comparison (`0.20` equals `0.2`), `--all`, `--deps`, formats, and missing files.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { diffParams } from "../../src/pipeline/params.js";
import { commitAll, lathe, makeRepo, removeRepo, writeFiles } from "./metrics-helpers.js";

const DVC_YAML = `stages:
  prepare:
    cmd: python prepare.py
    params:
      - prepare.split
  train:
    cmd: python train.py
    params:
      - train
      - config/model.json:
          - depth
params:
  - extra.toml
`;

let root: string;
beforeEach(async () => {
  root = await makeRepo();
  await writeFiles(root, {
    "dvc.yaml": DVC_YAML,
    "params.yaml": `# data
prepare:
  split: 0.20
  seed: 20170428
train:
  lr: 0.1
  layers: [64, 32]
unused: keep
`,
    "config/model.json": JSON.stringify({ depth: 3, width: 10 }),
    "extra.toml": "[run]\nname = 'a'\n",
  });
  commitAll(root, "first");
});
afterEach(async () => {
  await removeRepo(root);
});

describe("params diff", () => {
  it("reports nothing when values are equal by value (0.20 == 0.2)", async () => {
    await writeFiles(root, {
      "params.yaml": "prepare:\n  split: 0.2\n  seed: 20170428\ntrain:\n  lr: 0.1\n  layers: [64, 32]\nunused: keep\n",
    });
    expect((await diffParams({ root })).changes).toEqual([]);
    expect(await lathe(root, "params", "diff", "--md")).toBe("No parameter differs between HEAD and workspace.\n");
  });

  it("compares every params file whole: modified, new and deleted keys", async () => {
    await writeFiles(root, {
      "params.yaml": "prepare:\n  split: 0.25\n  seed: 20170428\ntrain:\n  lr: 0.1\n  layers: [64, 32, 16]\n",
      "config/model.json": JSON.stringify({ depth: 4, width: 10 }),
      "extra.toml": "[run]\nname = 'b'\n",
    });
    const { changes } = await diffParams({ root });
    expect(changes).toEqual([
      { path: "params.yaml", key: "prepare.split", old: 0.2, new: 0.25, state: "modified" },
      { path: "params.yaml", key: "unused", old: "keep", state: "deleted" },
      { path: "params.yaml", key: "train.layers.2", new: 16, state: "new" },
      { path: "config/model.json", key: "depth", old: 3, new: 4, state: "modified" },
      { path: "extra.toml", key: "run.name", old: "a", new: "b", state: "modified" },
    ]);
  });

  it("--deps keeps only the keys stages depend on; --all adds unchanged ones", async () => {
    await writeFiles(root, {
      "params.yaml": "prepare:\n  split: 0.3\n  seed: 1\ntrain:\n  lr: 0.2\n  layers: [64, 32]\nunused: changed\n",
      "config/model.json": JSON.stringify({ depth: 3, width: 11 }),
    });
    const deps = await diffParams({ root, deps: true });
    expect(deps.changes.map((change) => `${change.path}:${change.key}`)).toEqual([
      "params.yaml:prepare.split",
      "params.yaml:train.lr",
    ]);
    const all = await diffParams({ root, deps: true, all: true });
    expect(all.changes.map((change) => `${change.key}=${change.state}`)).toEqual([
      "prepare.split=modified",
      "train.lr=modified",
      "train.layers.0=unchanged",
      "train.layers.1=unchanged",
      "depth=unchanged",
    ]);
  });

  it("shows a params file missing at one revision as new or deleted", async () => {
    await writeFiles(root, { "dvc.yaml": `${DVC_YAML}  - more.yaml\n`, "more.yaml": "k: 1\n" });
    const { changes } = await diffParams({ root });
    expect(changes).toEqual([{ path: "more.yaml", key: "k", new: 1, state: "new" }]);
    commitAll(root, "more");
    const reverse = await diffParams({ root, a: "HEAD", b: "HEAD~1" });
    expect(reverse.changes).toEqual([{ path: "more.yaml", key: "k", old: 1, state: "deleted" }]);
  });

  it("compares explicit files and prints DVC's JSON shape and a table with revision columns", async () => {
    const first = commitAll(root, "same");
    await writeFiles(root, { "config/model.json": JSON.stringify({ depth: 5, width: 10 }) });
    const json = JSON.parse(await lathe(root, "params", "diff", first, "--targets", "config/model.json"));
    expect(json).toEqual({ "config/model.json": { depth: { old: 3, new: 5 } } });
    const md = await lathe(root, "params", "diff", "--md");
    expect(md).toBe(
      ["| Path | Param | HEAD | workspace |", "|---|---|---|---|", "| config/model.json | depth | 3 | 5 |", ""].join(
        "\n",
      ),
    );
  });

  it("refuses Python params files, malformed files and unknown revisions with the fix", async () => {
    await writeFiles(root, { "extra.toml": "[run\n" });
    await expect(diffParams({ root })).rejects.toThrow(/'extra.toml' is not valid TOML: line 1.*Fix the file/);
    await expect(diffParams({ root, targets: ["params.py"], a: "workspace" })).resolves.toEqual({
      a: "workspace",
      b: "workspace",
      changes: [],
    });
    await writeFiles(root, { "params.py": "LR = 0.1\n" });
    await expect(diffParams({ root, targets: ["params.py"] })).rejects.toThrow(/Python params file/);
    await expect(diffParams({ root, a: "nope" })).rejects.toThrow(/Unknown revision 'nope'.*git branch -a/);
    await expect(diffParams({ root, targets: ["../elsewhere.yaml"] })).rejects.toThrow(/is outside the project/);
  });

  it("says what to do outside a git repository", async () => {
    await removeRepo(`${root}/.git`);
    await expect(diffParams({ root })).rejects.toThrow(/not in a git repository.*git init/);
  });
});
