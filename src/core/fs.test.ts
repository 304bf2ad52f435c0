import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { copyFileAtomic } from "./fs.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "lathe-fs-"));
  await writeFile(join(dir, "source"), "bytes");
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

describe("copyFileAtomic with a check", () => {
  it("renames the copy into place when the check passes", async () => {
    const target = join(dir, "a", "b", "target");
    expect(await copyFileAtomic(join(dir, "source"), target, { check: Promise.resolve(true), sync: false })).toBe(true);
    expect(await readFile(target, "utf8")).toBe("bytes");
    expect(await readdir(join(dir, "a", "b"))).toEqual(["target"]);
  });

  it("writes nothing when the check says no", async () => {
    const target = join(dir, "out", "target");
    expect(await copyFileAtomic(join(dir, "source"), target, { check: Promise.resolve(false) })).toBe(false);
    expect(await readdir(join(dir, "out"))).toEqual([]);
  });

  it("rejects with a check that failed before the copy began, leaving nothing behind", async () => {
    const check = Promise.reject(new Error("the source cannot be read"));
    const target = join(dir, "deep", "er", "target");
    await expect(copyFileAtomic(join(dir, "source"), target, { check })).rejects.toThrow("the source cannot be read");
    expect(await readdir(join(dir, "deep", "er"))).toEqual([]);
  });
});
