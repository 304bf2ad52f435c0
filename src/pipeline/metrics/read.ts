/**
 * @module pipeline/metrics/read
 * Reading a set of metrics or params files at one revision into their flattened values.
 */
import type { FileSource } from "../types.js";
import { type FileValues, selectKeys } from "./diff.js";
import { readValues } from "./formats.js";

/** A file to read and, for params, the keys that matter. */
export interface FileTarget {
  path: string;
  keys?: string[] | "all";
}

/**
 * Reads each target present at `source`; a file missing at that revision is left out (so a diff
 * shows its keys as new or deleted). A file that does not parse throws a LatheError naming it.
 */
export async function readFileValues(
  source: FileSource,
  targets: readonly FileTarget[],
  revision: string,
): Promise<FileValues> {
  const values: FileValues = new Map();
  for (const target of targets) {
    const text = await source.read(target.path);
    if (text === undefined) continue;
    values.set(target.path, selectKeys(readValues(target.path, text, revision), target.keys ?? "all"));
  }
  return values;
}
