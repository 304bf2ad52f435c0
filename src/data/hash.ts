/**
 * @module data/hash
 * File hashing. DVC 3: the md5 of the raw bytes (reference/dvc.md §2.1). DVC 2 entries (no
 * `hash: md5`) use `md5-dos2unix`: text files have CRLF turned into LF within each 1 MiB chunk
 * before hashing (§2.2). Two buffers let the next chunk be read while this one is hashed.
 */
import { createHash } from "node:crypto";
import { open } from "node:fs/promises";

/** `md5` for DVC 3 entries, `md5-dos2unix` for legacy (DVC 2) ones. */
export type HashAlgorithm = "md5" | "md5-dos2unix";

const CHUNK_BYTES = 4 * 1024 * 1024;
// DVC 2 normalises per 1 MiB read, so a CRLF split across its chunk boundary stays as is.
const LEGACY_CHUNK_BYTES = 1024 * 1024;

/** Hex md5 of a string (UTF-8) or bytes. */
export function md5Hex(data: string | Uint8Array): string {
  return createHash("md5").update(data).digest("hex");
}

/** DVC 2's text test on a file's first 512 bytes: no NUL and at most 30% non-text bytes. */
export function looksLikeText(head: Uint8Array): boolean {
  const sample = head.subarray(0, 512);
  if (sample.length === 0) return true;
  let binary = 0;
  for (const byte of sample) {
    if (byte === 0) return false;
    const printable =
      (byte >= 32 && byte <= 126) || byte === 10 || byte === 13 || byte === 9 || byte === 12 || byte === 8;
    if (!printable) binary++;
  }
  return binary / sample.length <= 0.3;
}

function dos2unix(chunk: Buffer): Buffer {
  if (!chunk.includes(13)) return chunk;
  const out = Buffer.allocUnsafe(chunk.length);
  let length = 0;
  for (let index = 0; index < chunk.length; index++) {
    if (chunk[index] === 13 && chunk[index + 1] === 10) continue;
    out[length++] = chunk[index]!;
  }
  return out.subarray(0, length);
}

/** Hex hash and byte count (of the file as stored) of a file's content, streamed; `onBytes` hears each chunk read. */
export async function hashFile(
  path: string,
  algorithm: HashAlgorithm = "md5",
  onBytes?: (bytes: number) => void,
): Promise<{ md5: string; size: number }> {
  const hash = createHash("md5");
  const handle = await open(path, "r");
  const maxChunk = algorithm === "md5" ? CHUNK_BYTES : LEGACY_CHUNK_BYTES;
  // Small files get small buffers: allocating 8 MiB per file dominates hashing many small files.
  const chunkBytes = Math.min(maxChunk, Math.max(4096, (await handle.stat()).size + 1));
  const buffers = [Buffer.allocUnsafe(chunkBytes), Buffer.allocUnsafe(chunkBytes)] as const;
  let size = 0;
  let text: boolean | undefined = algorithm === "md5" ? false : undefined;
  try {
    let turn = 0;
    let pending = handle.read(buffers[0], 0, chunkBytes, null);
    for (;;) {
      const { bytesRead, buffer } = await pending;
      if (bytesRead === 0) break;
      turn ^= 1;
      pending = handle.read(buffers[turn as 0 | 1], 0, chunkBytes, null);
      const chunk = buffer.subarray(0, bytesRead);
      text ??= looksLikeText(chunk);
      hash.update(text ? dos2unix(chunk) : chunk);
      size += bytesRead;
      onBytes?.(bytesRead);
    }
  } finally {
    await handle.close();
  }
  return { md5: hash.digest("hex"), size };
}
