/**
 * Stage status in DVC's shapes: changed deps/outs with their states, params per key, changed
 * command, always changed, not in cache, and DVC 2 lock entries read as unchanged.
 */
import { chmod, readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { md5Hex } from "../../src/data/hash.js";
import { pipelineStatus } from "../../src/pipeline/status.js";
import { makeRepo, read, removeRepo, repro, writeFiles } from "./helpers.js";

let root: string;
beforeEach(async () => {
  root = await makeRepo();
});
afterEach(async () => removeRepo(root));

const COPY = `stages:
  copy-foo-bar:
    cmd: cp foo bar
    deps: [foo]
    outs: [bar]
`;

describe("pipeline status", () => {
  it("is empty when up to date", async () => {
    await writeFiles(root, { "dvc.yaml": COPY, foo: "foo" });
    await repro(root);
    expect(await pipelineStatus(root)).toEqual({});
  });

  it("a deleted output and a whitespace change in cmd", async () => {
    await writeFiles(root, { "dvc.yaml": COPY, foo: "foo" });
    await repro(root);
    await rm(join(root, "bar"));
    await writeFiles(root, { "dvc.yaml": COPY.replace("cp foo bar", "cp foo  bar") });
    expect(await pipelineStatus(root)).toEqual({
      "copy-foo-bar": [{ "changed outs": { bar: "deleted" } }, "changed command"],
    });
  });

  it("modified and deleted dependencies, modified outputs", async () => {
    await writeFiles(root, { "dvc.yaml": COPY.replace("deps: [foo]", "deps: [foo, baz]"), foo: "foo", baz: "baz" });
    await repro(root);
    await writeFiles(root, { foo: "changed", bar: "edited" });
    await rm(join(root, "baz"));
    expect(await pipelineStatus(root)).toEqual({
      "copy-foo-bar": [
        { "changed deps": { foo: "modified", baz: "deleted" } },
        { "changed outs": { bar: "modified" } },
      ],
    });
  });

  it("params per key: new, modified, deleted (and a whole tracked file)", async () => {
    await writeFiles(root, {
      "dvc.yaml": `stages:\n  p:\n    cmd: echo > out\n    deps: [foo]\n    params:\n      - a\n      - b\n      - other.yaml:\n    outs: [out]\n`,
      foo: "f",
      "params.yaml": "a: 1\nb: 2\n",
      "other.yaml": "x: 1\ny: 2\n",
    });
    await repro(root);
    await writeFiles(root, {
      "params.yaml": "a: 10\n",
      "other.yaml": "x: 1\nz: 3\n",
      "dvc.yaml": `stages:\n  p:\n    cmd: echo > out\n    deps: [foo]\n    params:\n      - a\n      - b\n      - c\n      - other.yaml:\n    outs: [out]\n`,
    });
    await writeFiles(root, { "params.yaml": "a: 10\nc: 3\n" });
    expect(await pipelineStatus(root)).toEqual({
      p: [
        {
          "changed deps": {
            "params.yaml": { a: "modified", b: "deleted", c: "new" },
            "other.yaml": { z: "new", y: "deleted" },
          },
        },
      ],
    });
  });

  it("an output whose cache object is gone is 'not in cache'", async () => {
    await writeFiles(root, { "dvc.yaml": COPY, foo: "foo" });
    await repro(root);
    const md5 = md5Hex("foo");
    const object = join(root, ".dvc/cache/files/md5", md5.slice(0, 2), md5.slice(2));
    await chmod(join(root, ".dvc/cache/files/md5", md5.slice(0, 2)), 0o755);
    await rm(object);
    expect(await pipelineStatus(root)).toEqual({ "copy-foo-bar": [{ "changed outs": { bar: "not in cache" } }] });
  });

  it("a stage without a lock entry reports its deps as modified", async () => {
    await writeFiles(root, { "dvc.yaml": COPY, foo: "foo" });
    expect(await pipelineStatus(root)).toEqual({
      "copy-foo-bar": [{ "changed deps": { foo: "modified" } }, { "changed outs": { bar: "deleted" } }],
    });
  });

  it("always_changed stages are always reported; frozen stages skip their deps", async () => {
    await writeFiles(root, {
      "dvc.yaml": `${COPY}    always_changed: true\n  frozen:\n    cmd: cp foo qux\n    deps: [foo]\n    outs: [qux]\n    frozen: true\n`,
      foo: "foo",
    });
    await repro(root);
    expect(await pipelineStatus(root, ["copy-foo-bar"])).toEqual({ "copy-foo-bar": ["always changed"] });
    expect(await pipelineStatus(root, ["frozen"])).toEqual({ frozen: [{ "changed outs": { qux: "deleted" } }] });
  });

  it("reads DVC 2 lock entries (no hash: md5) and keeps them while the content is the same", async () => {
    const foo = "foo\r\nbar\r\n";
    const legacy = md5Hex("foo\nbar\n"); // dos2unix hash of a text file
    const lock = `schema: '2.0'\nstages:\n  copy-foo-bar:\n    cmd: cp foo bar\n    deps:\n    - path: foo\n      md5: ${legacy}\n      size: 10\n    outs:\n    - path: bar\n      md5: ${legacy}\n      size: 10\n`;
    await writeFiles(root, { "dvc.yaml": COPY, foo, bar: foo, "dvc.lock": lock });
    const objects = join(root, ".dvc/cache", legacy.slice(0, 2));
    await writeFiles(root, { [`.dvc/cache/${legacy.slice(0, 2)}/${legacy.slice(2)}`]: foo });
    expect(await readdir(objects)).toHaveLength(1);
    expect(await pipelineStatus(root)).toEqual({});
    expect((await repro(root)).ran).toEqual([]);
    expect(await read(root, "dvc.lock")).toBe(lock);
  });
});
