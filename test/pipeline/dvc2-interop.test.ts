/**
 * A repository DVC 2 laid out — a `dvc.lock` whose entries lack `hash: md5`, a `.dvc` file without
 * it, objects in the legacy cache layout (`.dvc/cache/ab/cdef…`) and configobj's quoted remote
 * section — reads correctly under Lathe: nothing is reported changed, nothing re-runs, and deleted
 * outputs come back from the legacy cache.
 */
import { chmod, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { checkoutCommand, statusCommand } from "../../src/data/commands.js";
import { md5Hex } from "../../src/data/hash.js";
import { buildManifest } from "../../src/data/manifest.js";
import { pipelineStatus } from "../../src/pipeline/status.js";
import { makeRepo, removeRepo, repro, writeFiles } from "./helpers.js";

let root: string;

/** Puts `text` into the legacy cache under its md5 (or `name`), read-only, as DVC 2 did. */
async function legacyObject(text: string, name = md5Hex(text)): Promise<string> {
  const path = join(root, ".dvc/cache", name.slice(0, 2), name.slice(2));
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text);
  await chmod(path, 0o444);
  return name;
}

const SCRIPT =
  "mkdir -p data/prepared && cp data/raw.csv data/prepared/train.csv && cp data/raw.csv data/prepared/test.csv\n";
const RAW = "x,y\n1,2\n3,4\n";

beforeEach(async () => {
  root = await makeRepo();
  const raw = await legacyObject(RAW);
  const script = md5Hex(SCRIPT);
  const fileMd5 = await legacyObject(RAW);
  const manifest = buildManifest([
    { relpath: "test.csv", md5: fileMd5, size: RAW.length },
    { relpath: "train.csv", md5: fileMd5, size: RAW.length },
  ]);
  await legacyObject(manifest.text, manifest.md5);
  await writeFiles(root, {
    ".dvc/config": "[core]\n    remote = storage\n['remote \"storage\"']\n    url = ../storage\n",
    ".dvcignore":
      "# Add patterns of files dvc should ignore, which could improve\n# the performance. Learn more at\n# https://dvc.org/doc/user-guide/dvcignore\n",
    "data/raw.csv": RAW,
    "data/raw.csv.dvc": `outs:\n- md5: ${raw}\n  size: ${RAW.length}\n  path: raw.csv\n`,
    "data/.gitignore": "/raw.csv\n/prepared\n",
    "prepare.sh": SCRIPT,
    "params.yaml": "prepare:\n  split: 0.20\n  seed: 20170428\n",
    "dvc.yaml": `stages:
  prepare:
    cmd: sh prepare.sh
    deps:
    - data/raw.csv
    - prepare.sh
    params:
    - prepare.seed
    - prepare.split
    outs:
    - data/prepared
`,
    // DVC 2's lock: schema 2.0, no hash fields, params by value (0.2 for 0.20).
    "dvc.lock": `schema: '2.0'
stages:
  prepare:
    cmd: sh prepare.sh
    deps:
    - path: data/raw.csv
      md5: ${raw}
      size: ${RAW.length}
    - path: prepare.sh
      md5: ${script}
      size: ${SCRIPT.length}
    params:
      params.yaml:
        prepare.seed: 20170428
        prepare.split: 0.2
    outs:
    - path: data/prepared
      md5: ${manifest.md5}
      size: ${manifest.size}
      nfiles: 2
`,
  });
  await mkdir(join(root, "data/prepared"));
  await writeFile(join(root, "data/prepared/train.csv"), RAW);
  await writeFile(join(root, "data/prepared/test.csv"), RAW);
});
afterEach(async () => removeRepo(root));

describe("a repository DVC 2 laid out", () => {
  it("is up to date: no changed data, no changed stage, nothing re-runs, dvc.lock untouched", async () => {
    const lock = await readFile(join(root, "dvc.lock"), "utf8");
    expect(await statusCommand([], { cwd: root })).toEqual([]);
    expect(await pipelineStatus(root, [])).toEqual({});
    const result = await repro(root);
    expect(result.ran).toEqual([]);
    expect(result.skipped).toEqual(["prepare"]);
    expect(await readFile(join(root, "dvc.lock"), "utf8")).toBe(lock);
  });

  it("restores deleted data and stage outputs from the legacy cache", async () => {
    await rm(join(root, "data/raw.csv"));
    await rm(join(root, "data/prepared"), { recursive: true });
    const result = await checkoutCommand([], { cwd: root });
    expect(result.added.sort()).toEqual(["data/prepared", "data/raw.csv"]);
    expect(await readFile(join(root, "data/prepared/train.csv"), "utf8")).toBe(RAW);
    expect(await readFile(join(root, "data/raw.csv"), "utf8")).toBe(RAW);
    expect(await statusCommand([], { cwd: root })).toEqual([]);
  });

  it("re-runs the stage once a parameter's value really changes, and writes DVC 3 entries", async () => {
    await writeFile(join(root, "params.yaml"), "prepare:\n  split: 0.25\n  seed: 20170428\n");
    expect(await pipelineStatus(root, [])).toEqual({
      prepare: [{ "changed deps": { "params.yaml": { "prepare.split": "modified" } } }],
    });
    const result = await repro(root);
    expect(result.ran).toEqual(["prepare"]);
    const lock = await readFile(join(root, "dvc.lock"), "utf8");
    expect(lock).toContain("hash: md5");
    expect(lock).toContain("prepare.split: 0.25");
  });
});
