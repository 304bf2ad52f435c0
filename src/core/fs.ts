/**
 * @module core/fs
 * Atomic file writes: write a temporary file beside the target, fsync it, rename it over the target
 * and fsync the folder, so a crash leaves either the old content or the new, never a torn file.
 * Content-addressed data objects may skip the two flushes (`sync: false`): a killed process still
 * never leaves a partial file under the final name, since only the rename puts it there, and the
 * copy does not wait for the disk (as `cp` and DVC do not).
 */
import { randomBytes } from "node:crypto";
import { constants, createWriteStream } from "node:fs";
import { copyFile, mkdir, open, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";

function temporarySibling(target: string): string {
  return join(dirname(target), `.${basename(target)}.${randomBytes(6).toString("hex")}.tmp`);
}

/** Flushes a written file's data to disk. */
async function syncFile(path: string): Promise<void> {
  const handle = await open(path, "r+");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } catch {
    // Some file systems refuse fsync on a directory; the rename is still atomic there.
  } finally {
    await handle.close();
  }
}

/** Writes `data` to `target` atomically, creating parent folders. */
export async function writeFileAtomic(target: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(target), { recursive: true });
  const temp = temporarySibling(target);
  try {
    const handle = await open(temp, "w");
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  await syncDirectory(dirname(target));
}

/** Whether a write waits for the disk. */
export interface SyncOptions {
  /** Flush the file and its folder before returning; default true. */
  sync?: boolean;
}

export interface CopyOptions extends SyncOptions {
  /**
   * Settles once the source is judged (a hash check reading it while the kernel copies it): false
   * leaves the target untouched. The copy is renamed into place only when both are done.
   */
  check?: Promise<boolean>;
  /** Runs once the temporary copy is complete, while `check` may still be pending; the rename waits for it. */
  afterCopy?: (temporary: string) => Promise<void>;
}

/**
 * Copies `source` to `target` atomically: a copy-on-write clone where the file system offers one,
 * else a kernel-side copy, into a temporary sibling that is fsynced and renamed over `target`.
 * Returns false, writing nothing, when `check` settles false.
 */
export async function copyFileAtomic(source: string, target: string, options: CopyOptions = {}): Promise<boolean> {
  // The check may fail before anything awaits it (the folder is still being made): it is handled
  // here so that is not an unhandled rejection; allSettled below still sees the failure.
  options.check?.catch(() => {});
  await mkdir(dirname(target), { recursive: true });
  const temp = temporarySibling(target);
  try {
    // Both settle before anything is decided: a failed check must not remove the temporary file
    // while the copy is still creating it.
    const copying = copyFile(source, temp, constants.COPYFILE_FICLONE).then(() => options.afterCopy?.(temp));
    const [copied, checked] = await Promise.allSettled([copying, options.check ?? true]);
    if (copied.status === "rejected") throw copied.reason;
    if (checked.status === "rejected") throw checked.reason;
    if (!checked.value) {
      await rm(temp, { force: true });
      return false;
    }
    if (options.sync !== false) await syncFile(temp);
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  if (options.sync !== false) await syncDirectory(dirname(target));
  return true;
}

export interface StreamCommitOptions extends SyncOptions {
  /** A stream the bytes pass through on their way to disk (hashing, counting). */
  through?: Transform;
  /** Called once everything is on disk, before the rename: false leaves the target untouched. */
  accept?: () => boolean;
}

/**
 * Streams `source` into a temporary sibling of `target`, fsyncs it (unless `sync` is false) and renames it over `target`,
 * unless `accept` refuses, in which case the temporary file is removed. Returns whether the target
 * was written and how many bytes streamed.
 */
export async function commitStream(
  target: string,
  source: Readable,
  options: StreamCommitOptions = {},
): Promise<{ committed: boolean; bytes: number }> {
  await mkdir(dirname(target), { recursive: true });
  const temp = temporarySibling(target);
  let bytes = 0;
  source.on("data", (chunk: Buffer) => {
    bytes += chunk.length;
  });
  try {
    await (options.through
      ? pipeline(source, options.through, createWriteStream(temp))
      : pipeline(source, createWriteStream(temp)));
    if (options.accept && !options.accept()) {
      await rm(temp, { force: true });
      return { committed: false, bytes };
    }
    if (options.sync !== false) await syncFile(temp);
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  if (options.sync !== false) await syncDirectory(dirname(target));
  return { committed: true, bytes };
}

/** Streams `source` into `target` atomically; returns the number of bytes written. */
export async function writeStreamAtomic(target: string, source: Readable): Promise<number> {
  return (await commitStream(target, source)).bytes;
}
