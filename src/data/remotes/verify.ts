/**
 * @module data/remotes/verify
 * Hash-checked writes: the bytes stream through md5 into a temporary file beside the target, and the
 * file is renamed into place only when the digest matches, so a corrupt download never reaches the
 * cache and a crash never leaves a partial object under its final name.
 */
import { createHash } from "node:crypto";
import { rm } from "node:fs/promises";
import { type Readable, Transform } from "node:stream";
import { commitStream, copyFileAtomic } from "../../core/fs.js";
import { hashFile } from "../hash.js";
import { linkTemporaryPath, makeLink } from "../link.js";
import type { CopiesAlongside } from "./remote.js";

/** A pass-through stream that hashes and counts what flows through it. */
export interface HashingStream {
  readonly stream: Transform;
  /** The md5 hex digest; valid once the stream has ended. */
  digest(): string;
}

/** Creates a pass-through that feeds an md5 and reports each chunk's size to `onBytes`. */
export function createHashingStream(onBytes?: (bytes: number) => void): HashingStream {
  const hash = createHash("md5");
  let digest: string | undefined;
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      onBytes?.(chunk.length);
      callback(null, chunk);
    },
  });
  return {
    stream,
    digest: () => {
      digest ??= hash.digest("hex");
      return digest;
    },
  };
}

/** The outcome of {@link writeVerified}: the target was written, or it was not because the md5 differed. */
export type VerifiedWrite = { readonly ok: true } | { readonly ok: false; readonly actual: string };

/** Options for {@link writeVerified} and {@link copyVerified}. */
export interface WriteVerifiedOptions {
  onBytes?: (bytes: number) => void;
  /** {@link copyVerified} only: workspace copies to make beside the download. */
  alongside?: CopiesAlongside;
}

/**
 * Copies the local file `source` to `target` (a kernel-side copy) while reading it through md5 at
 * the same time, and renames the copy into place only if the digest equals `expectedMd5`. Data
 * objects are content-addressed and the rename is atomic, so the copy is not flushed to disk first.
 */
export async function copyVerified(
  source: string,
  target: string,
  expectedMd5: string,
  options: WriteVerifiedOptions = {},
): Promise<VerifiedWrite> {
  let actual = "";
  const check = hashFile(source, "md5", options.onBytes).then(({ md5 }) => {
    actual = md5;
    return md5 === expectedMd5;
  });
  const alongside = options.alongside;
  const made: { path: string; temporary: string }[] = [];
  const discard = () => Promise.all(made.map(({ temporary }) => rm(temporary, { force: true })));
  let ok: boolean;
  try {
    ok = await copyFileAtomic(source, target, {
      check,
      sync: false,
      // The extra copies read the finished temporary copy (in the page cache) while md5 is still reading the source.
      afterCopy: alongside && ((temporary) => copyAlongside(temporary, alongside, made)),
    });
  } catch (error) {
    await discard();
    throw error;
  }
  if (!ok) {
    await discard();
    return { ok: false, actual };
  }
  for (const { path, temporary } of made) alongside?.onCopied(path, temporary);
  return { ok: true };
}

/** Copies `from` beside each path of `alongside`; a path no mode can serve is left to checkout. Never throws. */
async function copyAlongside(
  from: string,
  alongside: CopiesAlongside,
  made: { path: string; temporary: string }[],
): Promise<void> {
  for (const path of alongside.paths) {
    const temporary = linkTemporaryPath(path);
    for (const mode of alongside.modes) {
      try {
        await makeLink(mode, from, temporary);
        made.push({ path, temporary });
        break;
      } catch {
        await rm(temporary, { force: true });
      }
    }
  }
}

/**
 * Streams `source` to `target` through md5. Renames the temporary file over `target`
 * only if the digest equals `expectedMd5`; otherwise removes it and reports the digest it got.
 */
export async function writeVerified(
  source: Readable,
  target: string,
  expectedMd5: string,
  options: WriteVerifiedOptions = {},
): Promise<VerifiedWrite> {
  // An error the source emits before the pipeline is attached must not go unhandled; the pipeline
  // still sees it, since the stream is then destroyed with that error.
  const ignoreEarly = (): void => {};
  source.on("error", ignoreEarly);
  const hashing = createHashingStream(options.onBytes);
  let actual = "";
  let committed: boolean;
  try {
    ({ committed } = await commitStream(target, source, {
      through: hashing.stream,
      // Content-addressed and renamed into place whole: not flushed to disk first (see core/fs).
      sync: false,
      accept: () => {
        actual = hashing.digest();
        return actual === expectedMd5;
      },
    }));
  } catch (error) {
    source.destroy();
    throw error;
  } finally {
    source.off("error", ignoreEarly);
  }
  return committed ? { ok: true } : { ok: false, actual };
}
