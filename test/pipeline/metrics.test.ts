/**
 * Metrics files: the readers (JSON, YAML, TOML, CSV/TSV), flattening, diffing by value, and
 * `lathe metrics show|diff` against temporary git repositories.
 */
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LatheError } from "../../src/core/errors.js";
import { diffFileValues, selectKeys } from "../../src/pipeline/metrics/diff.js";
import { formatOf, readValues } from "../../src/pipeline/metrics/formats.js";
import { diffMetrics, showMetrics } from "../../src/pipeline/metrics/show.js";
import { parseToml } from "../../src/pipeline/metrics/toml.js";
import { flattenValues, formatValue, numericChange, sameValue } from "../../src/pipeline/metrics/values.js";
import { commitAll, lathe, makeRepo, removeRepo, writeFiles } from "./metrics-helpers.js";

function flat(values: Map<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(values);
}

describe("flattening and values", () => {
  it("flattens nested keys with dots and indexes lists, keeping types", () => {
    const values = flattenValues({ a: { b: 1, c: [true, { d: "x" }] }, e: null, empty: {} });
    expect(flat(values)).toEqual({ "a.b": 1, "a.c.0": true, "a.c.1.d": "x", e: null });
  });

  it("compares by value and computes clean numeric changes", () => {
    expect(sameValue(0.2, Number("0.20"))).toBe(true);
    expect(sameValue(1, "1")).toBe(false);
    expect(numericChange(0.8, 0.85)).toBe(0.05);
    expect(numericChange("a", 1)).toBeUndefined();
    expect(formatValue(1 / 3, 3)).toBe("0.333");
    expect(formatValue(undefined)).toBe("-");
  });

  it("selects tracked keys and their subtrees", () => {
    const values = flattenValues({ train: { lr: 0.1, epochs: 3 }, trainer: 1 });
    expect([...selectKeys(values, ["train"]).keys()]).toEqual(["train.lr", "train.epochs"]);
    expect([...selectKeys(values, ["train.lr"]).keys()]).toEqual(["train.lr"]);
  });
});

describe("metrics file formats", () => {
  it("reads JSON, YAML (1.2) and TOML", () => {
    expect(flat(readValues("m.json", '{"acc": 0.9, "per": {"a": 1}}'))).toEqual({ acc: 0.9, "per.a": 1 });
    expect(flat(readValues("m.yaml", "acc: 0.9\nok: yes\nlist: [1, 2]\n"))).toEqual({
      acc: 0.9,
      ok: "yes",
      "list.0": 1,
      "list.1": 2,
    });
    expect(flat(readValues("m.toml", 'acc = 0.9\n[train]\nlr = 1e-3\nname = "x"\n'))).toEqual({
      acc: 0.9,
      "train.lr": 0.001,
      "train.name": "x",
    });
  });

  it("reads NaN and Infinity as Python's json module writes them, leaving strings alone", () => {
    const values = readValues("m.json", '{"loss": NaN, "max": Infinity, "min": -Infinity, "note": "NaN stays"}');
    expect(values.get("loss")).toBeNaN();
    expect(values.get("max")).toBe(Infinity);
    expect(values.get("min")).toBe(-Infinity);
    expect(values.get("note")).toBe("NaN stays");
  });

  it("reads the last row of a CSV or TSV metrics file", () => {
    expect(flat(readValues("log.csv", "epoch,loss,name\n1,0.9,a\n2,0.5,b\n"))).toEqual({
      epoch: 2,
      loss: 0.5,
      name: "b",
    });
    expect(flat(readValues("log.tsv", "epoch\tacc\n1\t0.5\n2\t0.75\n"))).toEqual({ epoch: 2, acc: 0.75 });
  });

  it("reads unknown extensions as YAML and knows the formats", () => {
    expect(formatOf("metrics")).toBe("yaml");
    expect(formatOf("a/b.TOML")).toBe("toml");
    expect(flat(readValues("metrics.txt", "acc: 1\n"))).toEqual({ acc: 1 });
  });

  it("names the file, the revision and the fix for malformed files", () => {
    expect(() => readValues("eval/m.json", '{"acc": ', "HEAD")).toThrow(/'eval\/m.json' at HEAD is not valid JSON/);
    expect(() => readValues("eval/m.json", "{")).toThrow(/Fix the file/);
    expect(() => readValues("m.yaml", "a: [1\n")).toThrow(LatheError);
    expect(() => readValues("m.json", "[1, 2]")).toThrow(/top level is a list/);
    expect(() => readValues("log.csv", "a,b\n1\n")).toThrow(/row 2 has 1 field/);
    expect(() => readValues("params.py", "LR = 0.1")).toThrow(/Python params file.*params\.yaml/);
  });
});

describe("TOML subset", () => {
  it("reads tables, dotted keys, arrays, inline tables and arrays of tables", () => {
    const text = `# comment
title = 'literal \\n'
[model]
layers = [
  64, 32, # trailing comment
]
opt.lr = 1_000
opt."beta 1" = 0.9
enabled = true
when = 2024-01-02
[[runs]]
id = 1
[[runs]]
id = 2
inline = { a = "q\\"x", b = -inf }
`;
    expect(parseToml(text)).toEqual({
      title: "literal \\n",
      model: { layers: [64, 32], opt: { lr: 1000, "beta 1": 0.9 }, enabled: true, when: "2024-01-02" },
      runs: [{ id: 1 }, { id: 2, inline: { a: 'q"x', b: -Infinity } }],
    });
  });

  it("refuses what it does not read, naming the line", () => {
    expect(() => parseToml('a = """x"""')).toThrow(/line 1: multi-line strings/);
    expect(() => parseToml("a = 1\na = 2")).toThrow(/line 2: key 'a' is defined twice/);
    expect(() => parseToml("a = bare")).toThrow(/strings need quotes/);
    expect(() => parseToml("a = 1 b = 2")).toThrow(/one key per line/);
  });
});

describe("diffing file values", () => {
  it("reports modified, new and deleted keys, and unchanged ones with all", () => {
    const before = new Map([["m.json", flattenValues({ acc: 0.8, same: 1, gone: 2 })]]);
    const after = new Map([
      ["m.json", flattenValues({ acc: 0.9, same: 1, added: 3 })],
      ["other.json", flattenValues({ x: "a" })],
    ]);
    expect(diffFileValues(before, after)).toEqual([
      { path: "m.json", key: "acc", old: 0.8, new: 0.9, change: 0.1, state: "modified" },
      { path: "m.json", key: "gone", old: 2, state: "deleted" },
      { path: "m.json", key: "added", new: 3, state: "new" },
      { path: "other.json", key: "x", new: "a", state: "new" },
    ]);
    expect(diffFileValues(before, after, { all: true }).map((change) => change.state)).toContain("unchanged");
  });
});

describe("lathe metrics show|diff", () => {
  let root: string;
  beforeEach(async () => {
    root = await makeRepo();
    await writeFiles(root, {
      "dvc.yaml": `stages:
  evaluate:
    cmd: python evaluate.py
    metrics:
      - eval/metrics.json:
          cache: false
metrics:
  - summary.yaml
`,
      "eval/metrics.json": JSON.stringify({ acc: 0.8, loss: 0.5, per_class: { a: 0.7, b: 0.9 }, dropped: 1 }),
    });
    commitAll(root, "first");
  });
  afterEach(async () => {
    await removeRepo(root);
  });

  it("diffs HEAD against the workspace: changed, new and deleted metrics, a file new in the workspace", async () => {
    await writeFiles(root, {
      "eval/metrics.json": JSON.stringify({ acc: 0.85, loss: 0.5, per_class: { a: 0.75, b: 0.9 }, fresh: 2 }),
      "summary.yaml": "score: 3\n",
    });
    const result = await diffMetrics({ root });
    expect(result.a).toBe("HEAD");
    expect(result.b).toBe("workspace");
    expect(result.changes).toEqual([
      { path: "eval/metrics.json", key: "acc", old: 0.8, new: 0.85, change: 0.05, state: "modified" },
      { path: "eval/metrics.json", key: "per_class.a", old: 0.7, new: 0.75, change: 0.05, state: "modified" },
      { path: "eval/metrics.json", key: "dropped", old: 1, state: "deleted" },
      { path: "eval/metrics.json", key: "fresh", new: 2, state: "new" },
      { path: "summary.yaml", key: "score", new: 3, state: "new" },
    ]);
    const all = await diffMetrics({ root, all: true });
    expect(all.changes.find((change) => change.key === "loss")?.state).toBe("unchanged");
  });

  it("diffs two commits, and prints DVC's JSON shape and a Markdown table", async () => {
    const first = commitAll(root, "nothing");
    await writeFiles(root, { "eval/metrics.json": JSON.stringify({ acc: 0.9, loss: 0.25 }) });
    const second = commitAll(root, "better");
    const json = JSON.parse(await lathe(root, "metrics", "diff", first, second));
    expect(json["eval/metrics.json"].acc).toEqual({ old: 0.8, new: 0.9, diff: 0.1 });
    expect(json["eval/metrics.json"].loss).toEqual({ old: 0.5, new: 0.25, diff: -0.25 });
    const md = await lathe(root, "metrics", "diff", first, second, "--md", "--precision", "1");
    expect(md).toContain(`| Path | Metric | ${first} | ${second} | Change |`);
    expect(md).toContain("| eval/metrics.json | loss | 0.5 | 0.3 | -0.3 |");
    const noPath = await lathe(root, "metrics", "diff", first, second, "--md", "--no-path");
    expect(noPath.split("\n")[0]).toBe(`| Metric | ${first} | ${second} | Change |`);
  });

  it("shows the workspace's metrics, per file, with nested keys", async () => {
    await writeFiles(root, { "summary.yaml": "score: 3\n" });
    const shown = await showMetrics({ root });
    expect(shown).toEqual([
      {
        revision: "workspace",
        files: {
          "eval/metrics.json": { acc: 0.8, loss: 0.5, "per_class.a": 0.7, "per_class.b": 0.9, dropped: 1 },
          "summary.yaml": { score: 3 },
        },
      },
    ]);
    const md = await lathe(root, "metrics", "show", "--md");
    expect(md.split("\n")[0]).toBe("| Path | acc | loss | per_class.a | per_class.b | dropped | score |");
    expect(md).toContain("| summary.yaml | - | - | - | - | - | 3 |");
    const json = JSON.parse(await lathe(root, "metrics", "show", "--json"));
    expect(json.workspace["summary.yaml"]).toEqual({ score: 3 });
  });

  it("shows explicit files and other revisions", async () => {
    await writeFiles(root, { "other.toml": "x = 1\n" });
    await writeFiles(root, { "sub/deep.json": '{"y": 2}' });
    const shown = await showMetrics({ root, targets: ["other.toml"] });
    expect(shown[0]?.files).toEqual({ "other.toml": { x: 1 } });
    // Targets are relative to the folder the command runs in.
    const fromSub = await showMetrics({ cwd: join(root, "sub"), targets: ["deep.json"] });
    expect(fromSub[0]?.files).toEqual({ "sub/deep.json": { y: 2 } });
    const atHead = await showMetrics({ root, revisions: ["HEAD"] });
    expect(atHead[0]?.files["eval/metrics.json"]?.acc).toBe(0.8);
    await expect(showMetrics({ root, targets: ["missing.json"] })).rejects.toThrow(/None of 'missing.json' exists/);
  });

  it("refuses an unknown revision, naming it and how to list revisions", async () => {
    await expect(diffMetrics({ root, a: "no-such-branch" })).rejects.toThrow(
      /Unknown revision 'no-such-branch'.*git log --oneline/,
    );
    await expect(lathe(root, "metrics", "diff", "HEAD", "v9.9")).rejects.toThrow(/Unknown revision 'v9.9'/);
  });

  it("names a malformed metrics file and the fix", async () => {
    await writeFiles(root, { "eval/metrics.json": '{"acc": 0.9,' });
    const error = await diffMetrics({ root }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LatheError);
    expect((error as LatheError).code).toBe("INVALID_PARAMETER_VALUE");
    expect((error as LatheError).message).toMatch(/'eval\/metrics.json' is not valid JSON: .*Fix the file/);
  });

  it("refuses a bad --precision", async () => {
    await expect(lathe(root, "metrics", "show", "--precision", "-1")).rejects.toThrow(/--precision must be/);
  });

  it("treats a repository without commits as empty at HEAD", async () => {
    const fresh = await makeRepo();
    try {
      await writeFiles(fresh, { "m.json": '{"a": 1}' });
      const result = await diffMetrics({ root: fresh, targets: ["m.json"] });
      expect(result.changes).toEqual([{ path: "m.json", key: "a", new: 1, state: "new" }]);
    } finally {
      await removeRepo(fresh);
    }
  });
});
