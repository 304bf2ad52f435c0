/**
 * @module data/remotes/local
 * A remote that is a folder (a mounted disk, a network share): objects are files in the cache layout
 * under the root. Writes go through a hash-checked temporary file and a rename, so a killed push
 * never leaves a partial object under its final name. The kernel copies while md5 reads the same
 * file, and objects are not flushed to disk before the rename (as `cp` and DVC do not).
 */
import { open, opendir, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { LatheError } from "../../core/errors.js";
import { copyFileAtomic } from "../../core/fs.js";
import {
  assertObjectHash,
  corruptObjectError,
  corruptSourceError,
  expectedMd5,
  hashFromObjectPath,
  missingObjectError,
  type ObjectTransferOptions,
  type Remote,
  remoteObjectPath,
} from "./remote.js";
import { forEachBounded } from "./transfer.js";
import { copyVerified, writeVerified } from "./verify.js";

function isNotFound(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === "ENOENT" || code === "ENOTDIR";
}

function ioError(message: string, cause: unknown): LatheError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new LatheError("IO_ERROR", `${message}: ${detail}`, { cause });
}

/** A folder remote rooted at an absolute path. */
export class LocalRemote implements Remote {
  readonly kind = "local";

  /**
   * @param url the URL as the user wrote it (a path or `file://…`), kept for messages
   * @param root the absolute folder the objects live under
   * @param label how messages name the remote; defaults to `url`
   */
  constructor(
    readonly url: string,
    readonly root: string,
    private readonly label: string = url,
  ) {}

  /** Absolute path of object `hash` in this remote. */
  objectPath(hash: string): string {
    return join(this.root, ...remoteObjectPath(hash).split("/"));
  }

  async exists(hashes: string[]): Promise<Set<string>> {
    const found = new Set<string>();
    await forEachBounded(hashes, 64, async (hash) => {
      try {
        if ((await stat(this.objectPath(hash))).isFile()) found.add(hash);
      } catch (error) {
        if (!isNotFound(error)) throw ioError(`Cannot check ${hash} on remote ${this.label}`, error);
      }
    });
    return found;
  }

  async upload(localPath: string, hash: string, options: ObjectTransferOptions = {}): Promise<void> {
    assertObjectHash(hash);
    if (options.knownGood) {
      // Already verified against its name: a kernel-side copy, without reading it through md5 again.
      try {
        await copyFileAtomic(localPath, this.objectPath(hash), { sync: false });
      } catch (error) {
        throw ioError(`Cannot push ${hash} from ${localPath} to remote ${this.label}`, error);
      }
      options.onBytes?.((await stat(this.objectPath(hash))).size);
      return;
    }
    // Not known to match its name: the md5 reads exactly the bytes written, so a file changed
    // meanwhile cannot land under the wrong name.
    let result: Awaited<ReturnType<typeof writeVerified>>;
    try {
      const handle = await open(localPath, "r");
      result = await writeVerified(handle.createReadStream(), this.objectPath(hash), expectedMd5(hash), options);
    } catch (error) {
      throw ioError(`Cannot push ${hash} from ${localPath} to remote ${this.label}`, error);
    }
    if (!result.ok) throw corruptSourceError(hash, localPath, result.actual);
  }

  async download(hash: string, destination: string, options: ObjectTransferOptions = {}): Promise<void> {
    const source = this.objectPath(hash);
    // Remote objects are only ever renamed into place, never rewritten, so the kernel may copy the
    // file while md5 reads it, side by side.
    let result: Awaited<ReturnType<typeof copyVerified>>;
    try {
      result = await copyVerified(source, destination, expectedMd5(hash), options);
    } catch (error) {
      if (isNotFound(error)) throw missingObjectError(hash, this.label);
      throw ioError(`Cannot fetch ${hash} from remote ${this.label} into ${destination}`, error);
    }
    if (!result.ok) throw corruptObjectError(hash, this.label, result.actual);
  }

  async *list(): AsyncIterable<string> {
    const base = join(this.root, "files", "md5");
    let prefixes: Awaited<ReturnType<typeof opendir>>;
    try {
      prefixes = await opendir(base);
    } catch (error) {
      if (isNotFound(error)) return;
      throw ioError(`Cannot list remote ${this.label}`, error);
    }
    for await (const prefix of prefixes) {
      if (!prefix.isDirectory()) continue;
      for await (const entry of await opendir(join(base, prefix.name))) {
        // Temporary files of interrupted writes start with "." and never parse as a hash.
        const hash = entry.isFile() ? hashFromObjectPath(`${prefix.name}/${entry.name}`) : undefined;
        if (hash) yield hash;
      }
    }
  }

  async delete(hashes: readonly string[]): Promise<void> {
    await forEachBounded(hashes, 64, async (hash) => {
      try {
        await rm(this.objectPath(hash), { force: true });
      } catch (error) {
        throw ioError(`Cannot delete ${hash} from remote ${this.label}`, error);
      }
    });
  }
}
