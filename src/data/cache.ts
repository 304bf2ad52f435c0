/**
 * @module data/cache
 * The content-addressed cache, DVC 3 layout: `<cache>/files/md5/ab/cdef…` (`.dir` manifests keep
 * their suffix). Objects are read-only and appear only by rename, so a crash never leaves a
 * partial object under its final name (reference/dvc.md §2.6).
 */
import { createHash, randomBytes } from "node:crypto";
import {
  chmodSync,
  constants,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { chmod, copyFile, readdir, readFile, rm } from "node:fs/promises";
import { dirname, join, sep } from "node:path";
import { writeFileAtomic } from "../core/fs.js";
import { hashFile, md5Hex } from "./hash.js";

/** Files up to this size are stored from one read into memory (see {@link ObjectCache.storeFile}). */
const SMALL_FILE_BYTES = 256 * 1024;

/**
 * Runs `create` (which makes an entry in `folder`), making the folder first only if `create`
 * finds it missing: the folder almost always exists, and checking costs system calls per file.
 */
function inFolder(folder: string, create: () => void): void {
  try {
    create();
  } catch (error) {
    if ((error as { code?: unknown }).code !== "ENOENT") throw error;
    mkdirSync(folder, { recursive: true });
    create();
  }
}

/** Where objects of one cache live. */
export class ObjectCache {
  private readonly objectsDir: string;
  /** Temporary names: a random prefix per instance and a counter (no random bytes per file). */
  private readonly tempPrefix = randomBytes(6).toString("hex");
  private tempCount = 0;

  /** `cacheDir` is the cache root (`.dvc/cache`). */
  constructor(readonly cacheDir: string) {
    this.objectsDir = join(cacheDir, "files", "md5");
  }

  /** The path of the object named `md5` (with `.dir` for manifests); `legacy` for DVC 2's `<cache>/ab/…`. */
  objectPath(md5: string, legacy = false): string {
    // Plain concatenation: this runs once per file in status, and both parts are already normal.
    return `${legacy ? this.cacheDir : this.objectsDir}${sep}${md5.slice(0, 2)}${sep}${md5.slice(2)}`;
  }

  /** True when the object exists (a synchronous stat: status checks thousands of objects at a time). */
  async has(md5: string, legacy = false): Promise<boolean> {
    try {
      return statSync(this.objectPath(md5, legacy), { throwIfNoEntry: false })?.isFile() ?? false;
    } catch {
      return false;
    }
  }

  /**
   * A digest of the modification times of the cache's object folders (`ab/` …), or undefined when
   * there are none. Adding or deleting an object changes its folder's time (and a new folder changes
   * the list), so an unchanged token means the objects present at the earlier reading are all still there.
   */
  foldersToken(legacy = false): string | undefined {
    const root = legacy ? this.cacheDir : this.objectsDir;
    let prefixes: string[];
    try {
      prefixes = readdirSync(root)
        .filter((name) => /^[0-9a-f]{2}$/.test(name))
        .sort();
    } catch {
      return undefined;
    }
    const digest = createHash("md5");
    for (const prefix of prefixes) {
      const stats = statSync(`${root}${sep}${prefix}`, { bigint: true, throwIfNoEntry: false });
      if (!stats) return undefined;
      digest.update(`${prefix}:${stats.ino}:${stats.mtimeNs};`);
    }
    return digest.digest("hex");
  }

  /**
   * Copies `source` into the cache and returns its hash. The copy is hashed, not the source, so a
   * file edited while being added can never produce an object whose name disagrees with its bytes.
   */
  async storeFile(source: string, size?: number): Promise<{ md5: string; size: number; placed: boolean }> {
    const staging = join(this.cacheDir, "tmp");
    const temp = join(staging, `${this.tempPrefix}${(this.tempCount++).toString(36)}.tmp`);
    let placed = false;
    try {
      let result: { md5: string; size: number };
      if (size !== undefined && size <= SMALL_FILE_BYTES) {
        // A small file is read once and the bytes read are both hashed and written, without the
        // thread pool's round trips, which dominate when adding thousands of small files.
        const bytes = readFileSync(source);
        inFolder(staging, () => writeFileSync(temp, bytes, { flag: "wx" }));
        result = { md5: md5Hex(bytes), size: bytes.length };
      } else {
        mkdirSync(staging, { recursive: true });
        await copyFile(source, temp, constants.COPYFILE_FICLONE);
        result = await hashFile(temp);
      }
      placed = await this.adopt(temp, result.md5);
      return { ...result, placed };
    } finally {
      if (!placed) await rm(temp, { force: true });
    }
  }

  /** Moves a hashed temp file (on the cache's file system) into place as object `md5`; false if it was there. */
  private async adopt(temp: string, md5: string): Promise<boolean> {
    if (await this.has(md5)) return false;
    const target = this.objectPath(md5);
    // Metadata calls, done synchronously: cheaper than a trip through the thread pool.
    chmodSync(temp, 0o444);
    inFolder(dirname(target), () => renameSync(temp, target));
    return true;
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
