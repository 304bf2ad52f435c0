/**
 * File sources: the workspace (with nested dvc.yaml discovery that skips ignored and .dvc-tracked
 * folders) and a git revision read through one cat-file process.
 */
import { execFileSync } from "node:child_process";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadPipelines } from "../../src/pipeline/parse.js";
import { gitRevisionSource, workspaceSource } from "../../src/pipeline/source.js";
import { makeRepo, removeRepo, writeFiles } from "./helpers.js";

let root: string;
beforeEach(async () => {
  root = await makeRepo();
});
afterEach(async () => removeRepo(root));

const git = (...args: string[]) =>
  execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@t", ...args], { cwd: root })
    .toString()
    .trim();

describe("workspace source", () => {
  it("reads files and finds dvc.yaml files, skipping .dvcignore'd and .dvc-tracked folders", async () => {
    await writeFiles(root, {
      "dvc.yaml": "stages: {}\n",
      "a/b/dvc.yaml": "stages: {}\n",
      "ignored/dvc.yaml": "stages: {}\n",
      "data/dvc.yaml": "stages: {}\n",
      "data.dvc": "outs:\n- path: data\n",
      ".dvcignore": "ignored\n",
    });
    const source = workspaceSource(root);
    expect(await source.find!("dvc.yaml")).toEqual(["a/b/dvc.yaml", "dvc.yaml"]);
    expect(await source.read("dvc.yaml")).toBe("stages: {}\n");
    expect(await source.read("nope.yaml")).toBeUndefined();
    expect(await source.read("a")).toBeUndefined();
  });
});

describe("git revision source", () => {
  it("reads files as of a commit, finds dvc.yaml files, and resolves pipelines there", async () => {
    await writeFiles(root, {
      "dvc.yaml": `stages:\n  train:\n    cmd: python train.py \${lr}\n`,
      "params.yaml": "lr: 1\n",
      "sub/dvc.yaml": "stages: {}\n",
    });
    git("add", "-A");
    git("commit", "-q", "-m", "first");
    const first = git("rev-parse", "HEAD");
    await writeFiles(root, { "params.yaml": "lr: 2\n" });
    git("commit", "-q", "-am", "second");
    const source = await gitRevisionSource(root, first);
    try {
      expect(await source.read("params.yaml")).toBe("lr: 1\n");
      expect(await source.read("missing.txt")).toBeUndefined();
      expect(await source.read("sub")).toBeUndefined();
      expect(await source.find!("dvc.yaml")).toEqual(["dvc.yaml", "sub/dvc.yaml"]);
      const [pipeline] = await loadPipelines(source, { files: ["dvc.yaml"] });
      expect(pipeline!.stages[0]!.cmd).toEqual(["python train.py 1"]);
      const reads = await Promise.all([source.read("params.yaml"), source.read("dvc.yaml")]);
      expect(reads[0]).toBe("lr: 1\n");
    } finally {
      source.close();
    }
    const head = await gitRevisionSource(root, "HEAD");
    expect(await head.read("params.yaml")).toBe("lr: 2\n");
    // A path outside the repository is refused instead of leaving the reader waiting on git.
    await expect(head.read("../x")).rejects.toThrow(/outside the repository/);
    expect(await head.read("params.yaml")).toBe("lr: 2\n");
    head.close();
    // After close, reading starts a new git process.
    expect(await head.read("params.yaml")).toBe("lr: 2\n");
    head.close();
    await expect(gitRevisionSource(root, "no-such-rev")).rejects.toThrow(/'no-such-rev' is not a commit.*git log/);
  });
});
