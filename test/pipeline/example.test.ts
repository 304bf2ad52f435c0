/**
 * examples/pipeline end to end in a temporary git repository: the three stages run, a second
 * repro runs nothing, and a param change runs only the stages that use it.
 */

import { execFileSync } from "node:child_process";
import { cp, mkdtemp, realpath } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { initDataRepo } from "../../src/data/repo.js";
import { read, removeRepo, repro, writeFiles } from "./helpers.js";

const EXAMPLES = join(import.meta.dirname, "../../examples");
let base: string;
let root: string;

beforeEach(async () => {
  base = await realpath(await mkdtemp(join(tmpdir(), "lathe-example-")));
  root = join(base, "iris-pipeline");
  await cp(join(EXAMPLES, "pipeline"), root, { recursive: true });
  await cp(join(EXAMPLES, "iris/data"), join(base, "iris/data"), { recursive: true });
  execFileSync("git", ["init", "-q", root]);
  await initDataRepo(root);
});
afterEach(async () => removeRepo(base));

describe("examples/pipeline", () => {
  it("runs get_data → process_data → train, then only what a change affects", async () => {
    const first = await repro(root);
    expect(first.failed).toEqual([]);
    expect(first.ran).toEqual(["get_data", "process_data", "train"]);
    const metrics = JSON.parse(await read(root, "metrics.json")) as { accuracy: number; test_rows: number };
    expect(metrics.test_rows).toBe(45);
    expect(metrics.accuracy).toBeGreaterThan(0.85);
    const confusion = (await read(root, "plots/confusion.csv")).trim().split("\n");
    expect(confusion[0]).toBe("actual,predicted");
    expect(confusion).toHaveLength(46);
    expect((await repro(root)).ran).toEqual([]);

    const params = await read(root, "params.yaml");
    await writeFiles(root, { "params.yaml": params.replace("lr: 0.1", "lr: 0.2") });
    expect((await repro(root)).ran).toEqual(["train"]);
    await writeFiles(root, { "params.yaml": params.replace("split: 0.3", "split: 0.2") });
    const again = await repro(root);
    expect(again.ran).toEqual(["process_data", "train"]);
    expect(JSON.parse(await read(root, "metrics.json")).test_rows).toBe(30);
  });
});
