/**
 * `.dvcignore` matching (gitignore syntax) and hash-state safety when a file changes mid-hash.
 */
import { mkdir, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { md5Hex } from "../../src/data/hash.js";
import { IgnoreMatcher } from "../../src/data/ignore.js";
import { HashState } from "../../src/data/state.js";
import { makeTempDir, removeTempDir } from "./helpers.js";

let dir: string | undefined;
afterEach(async () => {
  if (dir) await removeTempDir(dir);
  dir = undefined;
});

describe(".dvcignore", () => {
  it("follows gitignore rules: globs, anchors, folder-only patterns, **, negation and nested files", async () => {
    dir = await makeTempDir(false);
    await mkdir(join(dir, "data/raw"), { recursive: true });
    await writeFile(join(dir, ".dvcignore"), "# comment\n*.tmp\n!keep.tmp\n/top.txt\ncache/\nlogs/**/*.log\n");
    await writeFile(join(dir, "data/.dvcignore"), "raw/secret*\n");
    const ignore = new IgnoreMatcher(dir);
    await ignore.loadAncestors(join(dir, "data/raw"));
    const is = (path: string, folder = false) => ignore.isIgnored(join(dir!, path), folder);
    expect(is("a.tmp")).toBe(true);
    expect(is("data/deep/b.tmp")).toBe(true);
    expect(is("keep.tmp")).toBe(false);
    expect(is("top.txt")).toBe(true);
    expect(is("data/top.txt")).toBe(false);
    expect(is("x/cache", true)).toBe(true);
    expect(is("x/cache/inside.bin")).toBe(true);
    expect(is("cache")).toBe(false);
    expect(is("logs/a/b/c.log")).toBe(true);
    expect(is("logs/c.txt")).toBe(false);
    expect(is("data/raw/secret.csv")).toBe(true);
    expect(is("raw/secret.csv")).toBe(false);
    expect(is(".git/config")).toBe(true);
    expect(is("sub/.dvc/cache")).toBe(true);
  });
});

describe("hash state", () => {
  it("does not remember a hash when the file changed while it was read", async () => {
    dir = await makeTempDir(false);
    const file = join(dir, "f");
    await writeFile(file, "one");
    const before = await stat(file, { bigint: true });
    await new Promise((resolve) => setTimeout(resolve, 5));
    await writeFile(file, "two");
    const state = new HashState(join(dir, "tmp"));
    try {
      await state.remember(file, before, { md5: md5Hex("one"), size: 3 });
      expect(await state.hash(file)).toEqual({ md5: md5Hex("two"), size: 3 });
      expect(state.hashedCount).toBe(1);
      expect(await state.hash(file)).toEqual({ md5: md5Hex("two"), size: 3 });
      expect(state.hashedCount).toBe(1);
    } finally {
      state.close();
    }
  });
});
