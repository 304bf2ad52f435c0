/**
 * Test helpers for the data remotes: content-addressed fixture files, like objects in a DVC cache.
 */
import { createHash } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { LatheError } from "../../src/core/errors.js";

export function md5(data: string | Uint8Array): string {
  return createHash("md5").update(data).digest("hex");
}

/** Writes `data` into `dir` under a name of its own and returns its path and hash. */
export async function makeObject(dir: string, data: string | Uint8Array): Promise<{ path: string; hash: string }> {
  await mkdir(dir, { recursive: true });
  const hash = md5(data);
  const path = join(dir, `source-${hash}`);
  await writeFile(path, data);
  return { path, hash };
}

/** Awaits `promise`, expecting a LatheError, and returns it. */
export async function rejection(promise: Promise<unknown>): Promise<LatheError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof LatheError) return error;
    throw error;
  }
  throw new Error("expected a LatheError, but the call succeeded");
}
