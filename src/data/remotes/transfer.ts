/**
 * @module data/remotes/transfer
 * Moves many objects with bounded parallelism (`-j N`), reporting progress in files and bytes, and
 * collecting every failure with its hash instead of stopping at the first — so `lathe pull` can name
 * all the objects a remote lacks in one run, as DVC does.
 */
import { availableParallelism } from "node:os";
import { invalidParameter } from "../../core/errors.js";
import type { Remote } from "./remote.js";

/** One object to move. `run` performs the transfer and reports bytes as they flow. */
export interface TransferObject {
  readonly hash: string;
  /** Size in bytes when known, for the byte total of the progress. */
  readonly size?: number;
  run(onBytes: (bytes: number) => void): Promise<void>;
}

/** A snapshot of a running transfer, for a progress bar. */
export interface TransferProgress {
  readonly filesTotal: number;
  readonly filesDone: number;
  readonly filesFailed: number;
  /** Sum of the known sizes of all objects. */
  readonly bytesTotal: number;
  readonly bytesDone: number;
}

/** One object that could not be moved. */
export interface TransferFailure {
  readonly hash: string;
  readonly error: Error;
}

/** What a transfer did. `transferred` and `failed` together cover every object once. */
export interface TransferResult {
  readonly transferred: string[];
  readonly failed: TransferFailure[];
  readonly bytes: number;
}

/** Options for {@link transfer}. */
export interface TransferOptions {
  /** How many objects move at once (`-j N`); default: the number of CPU cores. */
  jobs?: number;
  /** Called after every chunk and every finished or failed object. */
  onProgress?: (progress: TransferProgress) => void;
  /** Stops starting new objects once aborted; those not started are reported as failed. */
  signal?: AbortSignal;
}

/** DVC's defaults: network remotes are latency-bound (4 × cores), local folders disk-bound (cores). */
export function defaultJobs(remote: Pick<Remote, "kind">): number {
  const cores = availableParallelism();
  return remote.kind === "s3" ? 4 * cores : cores;
}

/**
 * Checks a `-j` value.
 * @throws LatheError INVALID_PARAMETER_VALUE unless `jobs` is a positive integer.
 */
export function validateJobs(jobs: number): number {
  if (!Number.isInteger(jobs) || jobs < 1) throw invalidParameter(`jobs must be a positive integer, got ${jobs}`);
  return jobs;
}

/** Runs `work` on every item with at most `limit` in flight; rejects with the first error, after all settle. */
export async function forEachBounded<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let firstError: unknown;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (next < items.length && !failed) {
      const item = items[next++] as T;
      try {
        await work(item);
      } catch (error) {
        if (!failed) firstError = error;
        failed = true;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failed) throw firstError;
}

function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}

/**
 * Moves every object with at most `jobs` in flight. Never rejects because of one object: each failure
 * lands in `failed` with its hash, and the others carry on.
 */
export async function transfer(
  objects: readonly TransferObject[],
  options: TransferOptions = {},
): Promise<TransferResult> {
  const jobs = validateJobs(options.jobs ?? availableParallelism());
  const transferred: string[] = [];
  const failed: TransferFailure[] = [];
  const bytesTotal = objects.reduce((sum, object) => sum + (object.size ?? 0), 0);
  let bytesDone = 0;
  const report = (): void =>
    options.onProgress?.({
      filesTotal: objects.length,
      filesDone: transferred.length,
      filesFailed: failed.length,
      bytesTotal,
      bytesDone,
    });
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < objects.length) {
      const object = objects[next++] as TransferObject;
      if (options.signal?.aborted) {
        failed.push({ hash: object.hash, error: asError(options.signal.reason ?? new Error("transfer aborted")) });
        report();
        continue;
      }
      try {
        await object.run((bytes) => {
          bytesDone += bytes;
          report();
        });
        transferred.push(object.hash);
      } catch (error) {
        failed.push({ hash: object.hash, error: asError(error) });
      }
      report();
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, objects.length) }, worker));
  return { transferred, failed, bytes: bytesDone };
}

/** An object in the local cache to upload. */
export interface LocalObject {
  readonly hash: string;
  /** Path of the object in the local cache (or any file with that content). */
  readonly path: string;
  readonly size?: number;
}

/** Transfer objects that upload each local file to `remote`. */
export function uploadObjects(remote: Remote, objects: readonly LocalObject[]): TransferObject[] {
  return objects.map((object) => ({
    hash: object.hash,
    ...(object.size === undefined ? {} : { size: object.size }),
    run: (onBytes) => remote.upload(object.path, object.hash, { onBytes }),
  }));
}

/** Transfer objects that download each object from `remote` into its local path. */
export function downloadObjects(remote: Remote, objects: readonly LocalObject[]): TransferObject[] {
  return objects.map((object) => ({
    hash: object.hash,
    ...(object.size === undefined ? {} : { size: object.size }),
    run: (onBytes) => remote.download(object.hash, object.path, { onBytes }),
  }));
}
