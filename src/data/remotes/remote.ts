/**
 * @module data/remotes/remote
 * What every data remote offers, and the object layout they share: DVC 3 stores an object with md5
 * `abcdef…` at `files/md5/ab/cdef…` under the remote root, exactly as in the local cache
 * (reference/dvc.md §2.6); a directory manifest is an object whose name keeps its `.dir` suffix.
 */
import { invalidParameter, LatheError } from "../../core/errors.js";

/** Byte-level progress for one object being transferred. */
export interface ObjectTransferOptions {
  /** Called with the size of every chunk as it is read or written. */
  onBytes?: (bytes: number) => void;
  /**
   * For uploads: the local file is known to hash to its name (the hash-reuse state saw it hashed
   * and unchanged since), so a remote that would re-hash it while copying may copy it directly.
   */
  knownGood?: boolean;
  /** For downloads: workspace copies to make beside the download (see {@link CopiesAlongside}). */
  alongside?: CopiesAlongside;
}

/**
 * Workspace files a download should also produce, so a pull need not copy each object again after
 * fetching it. A remote that can (a local folder) copies the object's bytes to a temporary file
 * beside each path while its md5 is still being read, and hands each temporary file over through
 * `onCopied` only once the object verified; when it did not, it removes them. Remotes that cannot
 * ignore this, and checkout places those files as usual.
 */
export interface CopiesAlongside {
  readonly paths: readonly string[];
  /** The ways to copy, tried in order: a reflink (a copy sharing blocks), then a plain copy. */
  readonly modes: readonly ("reflink" | "copy")[];
  /** Called with each path and the temporary file holding its verified bytes. */
  readonly onCopied: (path: string, temporary: string) => void;
}

/** A place objects are pushed to and pulled from: a local folder or an S3 bucket prefix. */
export interface Remote {
  /** The URL the remote was opened with, as the user wrote it (for messages). */
  readonly url: string;
  /** `local` or `s3`; decides the default parallelism of transfers. */
  readonly kind: "local" | "s3";
  /** Which of `hashes` the remote holds; `jobs` bounds the checks in flight where the remote makes one per object. */
  exists(hashes: string[], options?: { jobs?: number }): Promise<Set<string>>;
  /** Stores the file at `localPath` as object `hash`; the content is checked against the hash first. */
  upload(localPath: string, hash: string, options?: ObjectTransferOptions): Promise<void>;
  /**
   * Fetches object `hash` into `destination`, verifying its md5 while streaming. Nothing appears at
   * `destination` unless the bytes match.
   * @throws LatheError RESOURCE_DOES_NOT_EXIST when the remote lacks the object; INVALID_STATE when it is corrupt.
   */
  download(hash: string, destination: string, options?: ObjectTransferOptions): Promise<void>;
  /** Every object hash on the remote (`…` or `….dir`), in no particular order. */
  list(): AsyncIterable<string>;
  /**
   * Deletes the objects `hashes` names; absent ones are fine.
   * @throws LatheError when a deletion fails (objects not yet reached stay in place).
   */
  delete(hashes: readonly string[]): Promise<void>;
}

const HASH_PATTERN = /^[0-9a-f]{32}(\.dir)?$/;

/** True for a DVC 3 object name: 32 lowercase hex digits, optionally followed by `.dir`. */
export function isObjectHash(value: string): boolean {
  return HASH_PATTERN.test(value);
}

/**
 * Checks `hash` is an object name and returns it; anything else could escape the remote root.
 * @throws LatheError INVALID_PARAMETER_VALUE for anything but 32 hex digits with an optional `.dir`.
 */
export function assertObjectHash(hash: string): string {
  if (!isObjectHash(hash)) {
    throw invalidParameter(`"${hash}" is not an object hash (expected 32 lowercase hex digits, optionally + ".dir")`);
  }
  return hash;
}

/**
 * The object's path relative to the remote (or cache) root, with `/` separators.
 * @example remoteObjectPath("d3b07384d113edec49eaa6238ad5ff00") // "files/md5/d3/b07384d113edec49eaa6238ad5ff00"
 */
export function remoteObjectPath(hash: string): string {
  assertObjectHash(hash);
  return `files/md5/${hash.slice(0, 2)}/${hash.slice(2)}`;
}

/** Rebuilds the hash from an object path relative to the `files/md5/` folder (`ab/cdef…`), or undefined. */
export function hashFromObjectPath(relative: string): string | undefined {
  const match = /^([0-9a-f]{2})\/([0-9a-f]{30}(?:\.dir)?)$/.exec(relative);
  return match ? `${match[1]}${match[2]}` : undefined;
}

/** The md5 the bytes of object `hash` must have: a `.dir` object is named after the md5 of its manifest. */
export function expectedMd5(hash: string): string {
  return hash.endsWith(".dir") ? hash.slice(0, -4) : hash;
}

/** The error for an object the remote does not have — usually data whose `.dvc` was committed but never pushed. */
export function missingObjectError(hash: string, remote: string): LatheError {
  return new LatheError(
    "RESOURCE_DOES_NOT_EXIST",
    `Object ${hash} is not on remote ${remote}: it was most likely never pushed. ` +
      "Whoever committed the .dvc or dvc.lock file that references it should run `lathe push`.",
  );
}

/** The error for an object whose bytes do not hash to its name. */
export function corruptObjectError(hash: string, remote: string, actual: string): LatheError {
  return new LatheError(
    "INVALID_STATE",
    `Object ${hash} on remote ${remote} is corrupt (its content hashes to ${actual}); nothing was written. ` +
      "Delete it from the remote and push it again from a cache that holds it intact.",
  );
}

/** The error for a local cache file that does not match its name when pushed. */
export function corruptSourceError(hash: string, localPath: string, actual?: string): LatheError {
  const found = actual ? `hashes to ${actual}` : "does not match that hash";
  return new LatheError(
    "INVALID_STATE",
    `Cannot push ${hash}: the local file ${localPath} ${found}, so the cache is corrupt. ` +
      "Re-add the data (lathe add) or pull it again before pushing.",
  );
}
