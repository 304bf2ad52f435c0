/**
 * @module data/cache
 * The content-addressed cache, DVC 3 layout: `<cache>/files/md5/ab/cdef…` (`.dir` manifests keep
 * their suffix). Objects are read-only and appear only by rename, so a crash never leaves a
 * partial object under its final name (reference/dvc.md §2.6).
 */
import { randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { chmod, copyFile, mkdir, readdir, readFile, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomic } from "../core/fs.js";
import { hashFile } from "./hash.js";

/** Where objects of one cache live. */
export class ObjectCache {
  /** `cacheDir` is the cache root (`.dvc/cache`). */
  constructor(readonly cacheDir: string) {}

  private get objectsDir(): string {
    return join(this.cacheDir, "files", "md5");
  }

  /** The path of the object named `md5` (with `.dir` for manifests); `legacy` for DVC 2's `<cache>/ab/…`. */
  objectPath(md5: string, legacy = false): string {
    return join(legacy ? this.cacheDir : this.objectsDir, md5.slice(0, 2), md5.slice(2));
  }

  /** True when the object exists. */
  async has(md5: string, legacy = false): Promise<boolean> {
    try {
      return (await stat(this.objectPath(md5, legacy))).isFile();
    } catch {
      return false;
    }
  }

  /**
   * Copies `source` into the cache and returns its hash. The copy is hashed, not the source, so a
   * file edited while being added can never produce an object whose name disagrees with its bytes.
   */
  async storeFile(source: string): Promise<{ md5: string; size: number }> {
    const staging = join(this.cacheDir, "tmp");
    await mkdir(staging, { recursive: true });
    const temp = join(staging, `${randomBytes(8).toString("hex")}.tmp`);
    try {
      await copyFile(source, temp, constants.COPYFILE_FICLONE);
      const result = await hashFile(temp);
      await this.adopt(temp, result.md5);
      return result;
    } finally {
      await rm(temp, { force: true });
    }
  }

  /** Moves a hashed temp file (on the cache's file system) into place as object `md5`. */
  private async adopt(temp: string, md5: string): Promise<void> {
    if (await this.has(md5)) return;
    const target = this.objectPath(md5);
    await mkdir(join(target, ".."), { recursive: true });
    await chmod(temp, 0o444);
    await rename(temp, target);
  }

  /** Stores a `.dir` manifest text under its hash. */
  async storeManifest(md5: string, text: string): Promise<void> {
    if (await this.has(md5)) return;
    const target = this.objectPath(md5);
    await writeFileAtomic(target, text);
    await chmod(target, 0o444);
  }

  /** Reads a `.dir` manifest object. */
  async readManifest(md5: string, legacy = false): Promise<string> {
    return readFile(this.objectPath(md5, legacy), "utf8");
  }

  /** Every object name in the cache (`.dir` names included). */
  async listObjects(): Promise<string[]> {
    const names: string[] = [];
    let prefixes: string[];
    try {
      prefixes = await readdir(this.objectsDir);
    } catch {
      return names;
    }
    for (const prefix of prefixes) {
      if (!/^[0-9a-f]{2}$/.test(prefix)) continue;
      // Skips temp files a crashed atomic write may have left beside the objects.
      for (const rest of await readdir(join(this.objectsDir, prefix)))
        if (/^[0-9a-f]{30}(\.dir)?$/.test(rest)) names.push(`${prefix}${rest}`);
    }
    return names;
  }

  /** Deletes staging files a killed `storeFile` left behind; call only under the write lock. */
  async clearStaging(): Promise<number> {
    let names: string[];
    try {
      names = await readdir(join(this.cacheDir, "tmp"));
    } catch {
      return 0;
    }
    for (const name of names) await rm(join(this.cacheDir, "tmp", name), { force: true });
    return names.length;
  }

  /** Deletes an object (missing is fine). */
  async remove(md5: string): Promise<void> {
    await rm(this.objectPath(md5), { force: true });
  }
}
