/**
 * Storing files in the object cache: small files (read once into memory) and large ones (copied,
 * then the copy hashed) both land under the md5 `md5sum` gives, read-only, with no temporary file
 * left behind, whether the object is new, already there, or its folder vanished meanwhile.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, rmSync, statSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ObjectCache } from "../../src/data/cache.js";
import { makeTempDir, removeTempDir } from "./helpers.js";

let dir: string | undefined;
afterEach(async () => {
  if (dir) await removeTempDir(dir);
  dir = undefined;
});

const md5sum = (path: string) => execFileSync("md5sum", [path]).toString().split(" ")[0];

describe("ObjectCache.storeFile", () => {
  it("stores small and large files under md5sum's hash, read-only, leaving no temporary file", async () => {
    dir = await makeTempDir(false);
    const cache = new ObjectCache(join(dir, "cache"));
    const small = join(dir, "small.txt");
    const large = join(dir, "large.bin");
    await writeFile(small, "a few bytes, ünïcode too\n");
    await writeFile(large, Buffer.alloc(3 * 1024 * 1024, 7));
    for (const file of [small, large]) {
      const size = statSync(file).size;
      const stored = await cache.storeFile(file, size);
      expect(stored).toEqual({ md5: md5sum(file), size, placed: true });
      const object = cache.objectPath(stored.md5);
      expect(await readFile(object)).toEqual(await readFile(file));
      expect(statSync(object).mode & 0o777).toBe(0o444);
    }
    // Without a size the file is always copied first.
    expect((await cache.storeFile(small)).placed).toBe(false);
    expect(readdirSync(join(dir, "cache", "tmp"))).toEqual([]);
  });

  it("reports an object that was already there and leaves it untouched", async () => {
    dir = await makeTempDir(false);
    const cache = new ObjectCache(join(dir, "cache"));
    const file = join(dir, "data.csv");
    await writeFile(file, "x,y\n1,2\n");
    const first = await cache.storeFile(file, 8);
    const before = statSync(cache.objectPath(first.md5));
    const again = await cache.storeFile(file, 8);
    expect(again).toEqual({ ...first, placed: false });
    expect(statSync(cache.objectPath(first.md5)).ino).toBe(before.ino);
    expect(readdirSync(join(dir, "cache", "tmp"))).toEqual([]);
  });

  it("still stores a file after the cache was cleared behind its back", async () => {
    dir = await makeTempDir(false);
    const cache = new ObjectCache(join(dir, "cache"));
    const one = join(dir, "one.txt");
    const other = join(dir, "other.txt");
    await writeFile(one, "one\n");
    await writeFile(other, "other\n");
    await cache.storeFile(one, 4);
    rmSync(join(dir, "cache"), { recursive: true });
    const stored = await cache.storeFile(other, 6);
    expect(stored.placed).toBe(true);
    expect(await readFile(cache.objectPath(stored.md5), "utf8")).toBe("other\n");
  });
});
