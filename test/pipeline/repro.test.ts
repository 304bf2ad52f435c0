/**
 * `repro` on real temporary repositories: what runs and what is skipped, the lock file after each
 * stage, failures, -f/-s/--downstream/--dry/-k, parallel stages and the cache.
 */
import { readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { md5Hex } from "../../src/data/hash.js";
import { parseLockFile } from "../../src/pipeline/lockfile.js";
import { makeRepo, read, removeRepo, repro, writeFiles } from "./helpers.js";

let root: string;
beforeEach(async () => {
  root = await makeRepo();
});
afterEach(async () => removeRepo(root));

/** foo → (copy) bar → (count) count.txt, a param-dependent stage, and an independent one. */
const PIPELINE = `stages:
  copy:
    cmd: cp foo bar
    deps: [foo]
    outs: [bar]
  count:
    cmd: wc -c < bar > count.txt && echo "n=$(cat params.yaml)" >> count.txt
    deps: [bar]
    params: [train.n]
    outs: [count.txt]
  other:
    cmd: echo other > other.txt
    deps: [other-input]
    params: [other.k]
    outs: [other.txt]
`;

async function setup(pipeline = PIPELINE) {
  await writeFiles(root, {
    "dvc.yaml": pipeline,
    foo: "foo\n",
    "other-input": "x\n",
    "params.yaml": "train:\n  n: 1\nother:\n  k: 1\n",
  });
}

const lock = async () => parseLockFile(await read(root, "dvc.lock"), "dvc.lock");

describe("what runs", () => {
  it("runs every stage in dependency order, then nothing on the second repro", async () => {
    await setup();
    const first = await repro(root);
    expect(first.ran).toEqual(["copy", "count", "other"]);
    expect(first.failed).toEqual([]);
    expect(await read(root, "bar")).toBe("foo\n");
    expect([...(await lock()).keys()]).toEqual(["copy", "count", "other"]);
    const second = await repro(root);
    expect(second.ran).toEqual([]);
    expect(second.skipped).toEqual(["copy", "count", "other"]);
  });

  it("a param change runs exactly the stages that use it", async () => {
    await setup();
    await repro(root);
    await writeFiles(root, { "params.yaml": "train:\n  n: 2\nother:\n  k: 1\n" });
    const result = await repro(root);
    expect(result.ran).toEqual(["count"]);
    expect((await lock()).get("count")!.params).toEqual({ "params.yaml": { "train.n": 2 } });
  });

  it("a param written differently but equal by value changes nothing", async () => {
    await setup();
    await writeFiles(root, { "params.yaml": "train:\n  n: 0.20\nother:\n  k: 1\n" });
    await repro(root);
    await writeFiles(root, { "params.yaml": "train:\n  n: 0.2\nother: {k: 1}\n" });
    expect((await repro(root)).ran).toEqual([]);
  });

  it("a changed dependency runs its stage and every stage after it", async () => {
    await setup();
    await repro(root);
    await writeFiles(root, { foo: "changed\n" });
    expect((await repro(root)).ran).toEqual(["copy", "count"]);
  });

  it("a changed command runs the stage (even a whitespace change)", async () => {
    await setup();
    await repro(root);
    await writeFiles(root, { "dvc.yaml": PIPELINE.replace("cp foo bar", "cp  foo bar") });
    expect((await repro(root)).ran).toEqual(["copy"]);
  });

  it("a new dependency or a new output in dvc.yaml runs the stage", async () => {
    await setup();
    await repro(root);
    await writeFiles(root, { extra: "e\n", "dvc.yaml": PIPELINE.replace("deps: [foo]", "deps: [foo, extra]") });
    expect((await repro(root, { noRunCache: true })).ran).toEqual(["copy"]);
    await writeFiles(root, {
      "dvc.yaml": PIPELINE.replace("deps: [foo]", "deps: [foo, extra]")
        .replace("cmd: echo other > other.txt\n", "cmd: echo other > other.txt && echo 2 > other2.txt\n")
        .replace("outs: [other.txt]", "outs: [other.txt, other2.txt]"),
    });
    expect((await repro(root)).ran).toEqual(["other"]);
    expect(await read(root, "other2.txt")).toBe("2\n");
  });

  it("a deleted lock file runs everything again (without the run-cache)", async () => {
    await setup();
    await repro(root);
    await rm(join(root, "dvc.lock"));
    expect((await repro(root, { noRunCache: true })).ran).toEqual(["copy", "count", "other"]);
  });

  it("targets run with their ancestors; -s runs only the target; --downstream runs what follows", async () => {
    await setup();
    expect((await repro(root, { targets: ["count"] })).ran).toEqual(["copy", "count"]);
    await writeFiles(root, { foo: "again\n" });
    // count's own inputs did not change, and -s does not look upstream.
    expect((await repro(root, { targets: ["count"], single: true })).ran).toEqual([]);
    expect((await repro(root, { targets: ["copy"], downstream: true })).ran).toEqual(["copy", "count"]);
    await writeFiles(root, { foo: "third\n", "params.yaml": "train:\n  n: 5\nother:\n  k: 1\n" });
    expect((await repro(root, { targets: ["count"], single: true })).ran).toEqual(["count"]);
    await expect(repro(root, { targets: ["nope"] })).rejects.toThrow(
      /No stage 'nope'.*Known stages: copy, count, other/,
    );
  });

  it("--force-downstream runs everything after a stage that ran; -p the target's whole pipeline; -P all", async () => {
    await setup();
    await repro(root);
    await writeFiles(root, { "dvc.yaml": PIPELINE.replace("cp foo bar", "cp foo bar && true") });
    // copy's output bytes stay the same, so count would be skipped without --force-downstream.
    expect((await repro(root, { forceDownstream: true })).ran).toEqual(["copy", "count"]);
    expect((await repro(root, { targets: ["count"], pipeline: true, force: true })).ran).toEqual(["copy", "count"]);
    expect((await repro(root, { targets: ["count"], allPipelines: true, force: true })).ran).toEqual([
      "copy",
      "count",
      "other",
    ]);
  });

  it("refuses a bad job count", async () => {
    await setup();
    await expect(repro(root, { jobs: 0 })).rejects.toThrow(/-j must be a positive whole number, got '0'/);
  });

  it("-f runs unchanged stages and skips the run-cache", async () => {
    await setup();
    await repro(root);
    const result = await repro(root, { force: true, targets: ["copy"], single: true });
    expect(result.ran).toEqual(["copy"]);
    expect(result.restored).toEqual([]);
  });

  it("--dry lists what would run (dependents included) and changes nothing", async () => {
    await setup();
    const result = await repro(root, { dry: true });
    expect(result.wouldRun).toEqual(["copy", "count", "other"]);
    await expect(stat(join(root, "bar"))).rejects.toThrow();
    await expect(stat(join(root, "dvc.lock"))).rejects.toThrow();
  });

  it("frozen stages do not run, nor anything above them", async () => {
    await setup(PIPELINE.replace("    params: [train.n]\n", "    params: [train.n]\n    frozen: true\n"));
    const result = await repro(root, { targets: ["count"] });
    expect(result.ran).toEqual([]);
    expect(result.skipped).toEqual(["count"]);
    expect(result.events).toContainEqual({ type: "skipped", stage: "count", reason: "frozen" });
  });

  it("always_changed stages and stages without deps and outs run every time", async () => {
    await setup(`stages:
  stamp:
    cmd: date +%s%N > stamp.txt
    deps: [foo]
    outs: [stamp.txt]
    always_changed: true
  callback:
    cmd: echo hi
`);
    await repro(root);
    expect((await repro(root)).ran).toEqual(["stamp", "callback"]);
  });

  it("runs a list of commands in wdir, stopping at the first failure", async () => {
    await setup(`stages:
  build:
    wdir: sub
    cmd:
      - echo one > one.txt
      - echo two > two.txt
    deps: [in.txt]
    outs: [one.txt, two.txt]
`);
    await writeFiles(root, { "sub/in.txt": "i\n" });
    expect((await repro(root)).ran).toEqual(["build"]);
    expect(await read(root, "sub/two.txt")).toBe("two\n");
    expect((await lock()).get("build")!.cmd).toEqual(["echo one > one.txt", "echo two > two.txt"]);
    expect(await read(root, "sub/.gitignore")).toBe("/one.txt\n/two.txt\n");
  });

  it("expands foreach stages and runs them by their generated names", async () => {
    await setup(`stages:
  greet:
    foreach: [en, fr]
    do:
      cmd: echo \${item} > out-\${item}.txt
      deps: [foo]
      outs:
        - out-\${item}.txt
`);
    expect((await repro(root, { targets: ["greet@fr"] })).ran).toEqual(["greet@fr"]);
    expect((await repro(root)).ran).toEqual(["greet@en"]);
  });
});

describe("nested pipelines", () => {
  it("runs a sub-folder's dvc.yaml in its folder and writes the lock beside it", async () => {
    await writeFiles(root, {
      "dvc.yaml": "stages:\n  top:\n    cmd: cp sub/made.txt top.txt\n    deps: [sub/made.txt]\n    outs: [top.txt]\n",
      "sub/dvc.yaml": "stages:\n  make:\n    cmd: cp input.txt made.txt\n    deps: [input.txt]\n    outs: [made.txt]\n",
      "sub/input.txt": "nested\n",
    });
    const result = await repro(root);
    expect(result.ran).toEqual(["sub/dvc.yaml:make", "top"]);
    expect(await read(root, "top.txt")).toBe("nested\n");
    expect([...parseLockFile(await read(root, "sub/dvc.lock"), "sub/dvc.lock").keys()]).toEqual(["make"]);
    expect((await repro(root, { targets: ["sub/dvc.yaml:make"] })).skipped).toEqual(["sub/dvc.yaml:make"]);
  });
});

describe("outputs", () => {
  it("commits cached outputs (read-only objects), hashes uncached ones, lists cached ones in .gitignore", async () => {
    await setup(`stages:
  make:
    cmd: mkdir -p data && echo a > data/a && echo b > data/b && echo 1 > metrics.json
    deps: [foo]
    outs: [data]
    metrics:
      - metrics.json: {cache: false}
`);
    await repro(root);
    const entry = (await lock()).get("make")!;
    expect(entry.outs.map((out) => [out.path, out.nfiles, out.size])).toEqual([
      ["data", 2, 4],
      ["metrics.json", undefined, 2],
    ]);
    const objects = join(root, ".dvc/cache/files/md5");
    const a = md5Hex("a\n");
    expect((await stat(join(objects, a.slice(0, 2), a.slice(2)))).mode & 0o222).toBe(0);
    expect(await readdir(join(objects, entry.outs[0]!.md5!.slice(0, 2)))).toContain(entry.outs[0]!.md5!.slice(2));
    expect(await read(root, ".gitignore")).toBe("/data\n");
  });

  it("deletes outputs before running, except persistent ones", async () => {
    await setup(`stages:
  append:
    cmd: echo line >> log.txt && echo line >> fresh.txt
    deps: [foo]
    outs:
      - log.txt: {persist: true}
      - fresh.txt
`);
    await repro(root);
    await repro(root, { force: true });
    expect(await read(root, "log.txt")).toBe("line\nline\n");
    expect(await read(root, "fresh.txt")).toBe("line\n");
  });

  it("a deleted output makes the stage run again (restored from the run-cache)", async () => {
    await setup();
    await repro(root);
    await rm(join(root, "bar"));
    const result = await repro(root);
    expect(result.restored).toEqual(["copy"]);
    expect(result.events.some((event) => event.type === "started")).toBe(false);
    expect(await read(root, "bar")).toBe("foo\n");
  });
});

describe("run-cache", () => {
  it("going back to earlier inputs restores the earlier outputs without running", async () => {
    await setup();
    await repro(root);
    await writeFiles(root, { foo: "second\n" });
    expect((await repro(root)).ran).toEqual(["copy", "count"]);
    await writeFiles(root, { foo: "foo\n" });
    const back = await repro(root);
    expect(back.restored).toEqual(["copy", "count"]);
    expect(back.ran).toEqual([]);
    expect(await read(root, "bar")).toBe("foo\n");
    expect((await lock()).get("copy")!.outs[0]!.md5).toBe(md5Hex("foo\n"));
  });

  it("restores uncached metrics too, and never caches always_changed or persistent stages", async () => {
    await setup(`stages:
  score:
    cmd: cat foo > score.bin && wc -c < foo > metrics.json
    deps: [foo]
    outs: [score.bin]
    metrics:
      - metrics.json: {cache: false}
  always:
    cmd: cp foo always.txt
    deps: [foo]
    outs: [always.txt]
    always_changed: true
  keep:
    cmd: cp foo keep.txt
    deps: [foo]
    outs:
      - keep.txt: {persist: true}
`);
    await repro(root);
    await writeFiles(root, { foo: "longer content\n" });
    await repro(root);
    await writeFiles(root, { foo: "foo\n" });
    const back = await repro(root);
    expect(back.restored).toEqual(["score"]);
    expect(back.ran).toEqual(["always", "keep"]);
    expect((await read(root, "metrics.json")).trim()).toBe("4");
    const keys = await readdir(join(root, ".dvc/cache/runs"), { recursive: true });
    expect(keys.filter((name) => /^[0-9a-f]{2}\/[0-9a-f]{64}\/[0-9a-f]{64}$/.test(name))).toHaveLength(2);
  });

  it("--no-run-cache runs instead of restoring", async () => {
    await setup();
    await repro(root);
    await rm(join(root, "bar"));
    expect((await repro(root, { noRunCache: true, targets: ["copy"] })).ran).toEqual(["copy"]);
  });

  it("stores entries under <cache>/runs/<key[:2]>/<key>/<value> as lock entries", async () => {
    await setup();
    await repro(root, { targets: ["copy"] });
    const runs = join(root, ".dvc/cache/runs");
    const [prefix] = await readdir(runs);
    const [key] = await readdir(join(runs, prefix!));
    const [value] = await readdir(join(runs, prefix!, key!));
    expect(key!.startsWith(prefix!)).toBe(true);
    expect(value).toMatch(/^[0-9a-f]{64}$/);
    const text = await readFile(join(runs, prefix!, key!, value!), "utf8");
    expect(text).toBe(
      `cmd: cp foo bar\ndeps:\n- path: foo\n  hash: md5\n  md5: ${md5Hex("foo\n")}\n  size: 4\nouts:\n- path: bar\n  hash: md5\n  md5: ${md5Hex("foo\n")}\n  size: 4\n`,
    );
  });
});

describe("failures", () => {
  const FAILING = `stages:
  first:
    cmd: echo 1 > first.txt
    deps: [foo]
    outs: [first.txt]
  broken:
    cmd: cat first.txt > broken.txt && test -f fixed
    deps: [first.txt]
    outs: [broken.txt]
  after:
    cmd: cp broken.txt after.txt
    deps: [broken.txt]
    outs: [after.txt]
  side:
    cmd: echo side > side.txt
    deps: [other-input]
    outs: [side.txt]
`;

  it("a failure keeps dvc.lock valid for finished stages, and the next repro resumes", async () => {
    await setup(FAILING);
    const result = await repro(root);
    expect(result.ran).toEqual(["first"]);
    expect(result.failed).toEqual([
      {
        stage: "broken",
        exitCode: 1,
        message: "failed to reproduce 'broken': exit code 1 from 'cat first.txt > broken.txt && test -f fixed'",
      },
    ]);
    expect(result.notRun).toEqual(["after", "side"]);
    expect([...(await lock()).keys()]).toEqual(["first"]);
    await writeFile(join(root, "fixed"), "");
    const again = await repro(root);
    expect(again.skipped).toEqual(["first"]);
    expect(again.ran).toEqual(["broken", "after", "side"]);
  });

  it("-k goes on with stages that do not depend on the failure", async () => {
    await setup(FAILING);
    const result = await repro(root, { keepGoing: true });
    expect(result.ran).toEqual(["first", "side"]);
    expect(result.notRun).toEqual(["after"]);
  });

  it("a missing dependency nobody produces is refused before anything runs, naming the file, line and fix", async () => {
    await setup(
      `stages:\n  fine:\n    cmd: echo > fine.txt\n    deps: [foo]\n    outs: [fine.txt]\n  use:\n    cmd: cat missing.txt\n    deps:\n      - foo\n      - missing.txt\n    outs: [x]\n`,
    );
    await expect(repro(root)).rejects.toThrow(
      /^dvc\.yaml:10: dependency 'missing\.txt' of stage 'use' does not exist and no stage produces it\. Create it/,
    );
    await expect(stat(join(root, "fine.txt"))).rejects.toThrow();
  });

  it("a malformed dvc.lock is refused with a fix and left as it is", async () => {
    await setup();
    await writeFiles(root, { "dvc.lock": "schema: '2.0'\nstages:\n  copy: [not, a, mapping]\n" });
    await expect(repro(root)).rejects.toThrow(
      /^dvc\.lock is not a valid dvc\.lock.*stages\.copy must be a mapping.*delete it and run 'lathe repro'/,
    );
    expect(await read(root, "dvc.lock")).toBe("schema: '2.0'\nstages:\n  copy: [not, a, mapping]\n");
  });

  it("a dependency whose producer was not run (-s) fails that stage, naming the producer", async () => {
    await setup();
    const result = await repro(root, { targets: ["count"], single: true });
    expect(result.failed[0]!.message).toMatch(
      /^dvc\.yaml:8: dependency 'bar' of stage 'count' is missing; stage 'copy' produces it\. Reproduce that stage first/,
    );
  });

  it("an output the command did not create is a failure naming the entry", async () => {
    await setup(`stages:\n  lazy:\n    cmd: "true"\n    deps: [foo]\n    outs:\n      - never.txt\n`);
    const result = await repro(root);
    expect(result.failed[0]!.message).toMatch(
      /^dvc\.yaml:6: stage 'lazy' finished but did not create its output 'never\.txt'/,
    );
    await expect(stat(join(root, "dvc.lock"))).rejects.toThrow();
  });

  it("a missing param key names the key", async () => {
    await setup(
      `stages:\n  p:\n    cmd: echo > p.txt\n    deps: [foo]\n    params: [train.missing]\n    outs: [p.txt]\n`,
    );
    const result = await repro(root);
    expect(result.failed[0]!.message).toMatch(
      /^dvc\.yaml:5: parameters of stage 'p' are missing: params\.yaml: train\.missing/,
    );
  });
});

describe("parallel stages", () => {
  it("-j 4 runs four independent stages at once", async () => {
    const marks = await import("node:fs/promises").then((fs) => fs.mkdtemp(join(tmpdir(), "lathe-marks-")));
    // Each stage waits (bounded) until all four have started, so overlap shows in the event order.
    const wait = `touch ${marks}/$S; i=0; while [ $(ls ${marks} | wc -l) -lt 4 ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done; echo $S > $S.txt`;
    const stages = ["a", "b", "c", "d"]
      .map((name) => `  ${name}:\n    cmd: S=${name}; ${wait}\n    deps: [foo]\n    outs: [${name}.txt]\n`)
      .join("");
    await setup(`stages:\n${stages}`);
    const result = await repro(root, { jobs: 4 });
    expect(result.ran.sort()).toEqual(["a", "b", "c", "d"]);
    const order = result.events
      .filter((event) => event.type === "started" || event.type === "finished")
      .map((event) => event.type);
    expect(order.slice(0, 4)).toEqual(["started", "started", "started", "started"]);
    const starts = result.events.flatMap((event) => (event.type === "started" ? [event.time] : []));
    const ends = result.events.flatMap((event) => (event.type === "finished" ? [event.time] : []));
    expect(Math.max(...starts)).toBeLessThan(Math.min(...ends));
    expect([...(await lock()).keys()].sort()).toEqual(["a", "b", "c", "d"]);
    await rm(marks, { recursive: true, force: true });
  });
});
