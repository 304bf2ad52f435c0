/**
 * The artifact repository contract, checked the same way on every implementation (local folder, S3).
 */
import { Readable } from "node:stream";
import { text } from "node:stream/consumers";
import { expect } from "vitest";
import { LatheError } from "../core/errors.js";
import type { ArtifactRepository } from "./repository.js";

/** A stream of `content`, as an upload body. */
export function bodyOf(content: string | Buffer): Readable {
  return Readable.from([Buffer.from(content)]);
}

/**
 * Puts three nested files into an empty repository, reads them back, lists each level (with `./`
 * and trailing-slash spellings), then deletes a file and a folder. `afterPuts` may look at the store
 * behind the repository once the files are in.
 */
export async function expectNestedRoundTrip(
  repo: ArtifactRepository,
  afterPuts: () => Promise<void> = async () => {},
): Promise<void> {
  expect(await repo.list()).toEqual([]);
  expect(await repo.put("model/MLmodel", bodyOf("flavors: {}\n"))).toBe(12);
  await repo.put("model/data/weights.bin", bodyOf("0123456789"));
  await repo.put("metrics.json", bodyOf("{}"));
  await afterPuts();
  expect(await text((await repo.get("model/MLmodel")).stream)).toBe("flavors: {}\n");
  const weights = await repo.get("./model//data/weights.bin");
  expect(weights.size).toBe(10);
  expect(await text(weights.stream)).toBe("0123456789");
  expect(await repo.list()).toEqual([
    { path: "metrics.json", is_dir: false, file_size: 2 },
    { path: "model", is_dir: true },
  ]);
  expect(await repo.list("model/")).toEqual([
    { path: "model/MLmodel", is_dir: false, file_size: 12 },
    { path: "model/data", is_dir: true },
  ]);
  expect(await repo.list("./model/data")).toEqual([{ path: "model/data/weights.bin", is_dir: false, file_size: 10 }]);
  await repo.delete("model/data/weights.bin");
  expect(await repo.list("model/data")).toEqual([]);
  await repo.delete("model");
  expect(await repo.list()).toEqual([{ path: "metrics.json", is_dir: false, file_size: 2 }]);
}

/** Awaits `promise`, expecting it to fail with a LatheError of `code`; returns that error. */
export async function refusedWith(promise: Promise<unknown>, code: string): Promise<LatheError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LatheError);
  expect((error as LatheError).code).toBe(code);
  return error as LatheError;
}

/** Paths that try to leave a repository's root (traversal in every encoding, absolute paths, URIs). */
export const HOSTILE_ARTIFACT_PATHS = [
  "../sentinel.txt",
  "..%2fsentinel.txt",
  "..%2f..%2f",
  "%252e%252e%252fsentinel.txt",
  "%2e%2e/outside/secret.txt",
  "sentinel.txt%00",
  "\\..\\sentinel.txt",
  "x;/../../sentinel.txt",
  "#/../sentinel.txt",
  "?x=/../sentinel.txt",
  "/etc/passwd",
  "C:\\Windows",
  "file:///etc/passwd",
  "file:../sentinel.txt",
  "a/../../outside",
  "....//sentinel.txt",
];
