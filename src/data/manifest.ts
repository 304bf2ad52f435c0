/**
 * @module data/manifest
 * A directory's `.dir` manifest: the list of `{md5, relpath}` entries sorted by relpath, serialised
 * byte-for-byte as DVC writes it; its md5 plus `.dir` is the directory's hash (reference/dvc.md §2.3).
 */

import { compareCodePoints, pythonJsonDumps } from "../core/python-json.js";
import { md5Hex } from "./hash.js";

/** One file of a tracked directory. */
export interface ManifestEntry {
  /** POSIX path relative to the directory. */
  readonly relpath: string;
  readonly md5: string;
  readonly size: number;
}

/** A built manifest: its exact bytes, its hash (`<md5>.dir`), file count and total size. */
export interface DirManifest {
  readonly text: string;
  readonly md5: string;
  readonly nfiles: number;
  readonly size: number;
  readonly entries: readonly ManifestEntry[];
}

/** Builds the manifest of a directory from its files (any order; empty directories have none). */
export function buildManifest(files: readonly ManifestEntry[]): DirManifest {
  const entries = [...files].sort((a, b) => compareCodePoints(a.relpath, b.relpath));
  const text = pythonJsonDumps(entries.map((entry) => ({ md5: entry.md5, relpath: entry.relpath })));
  return {
    text,
    md5: `${md5Hex(text)}.dir`,
    nfiles: entries.length,
    size: entries.reduce((total, entry) => total + entry.size, 0),
    entries,
  };
}

/** Parses a `.dir` object's text into entries (size unknown, reported as 0); throws on a bad shape. */
export function parseManifest(text: string): { relpath: string; md5: string }[] {
  const value: unknown = JSON.parse(text);
  if (!Array.isArray(value)) throw new Error("a .dir manifest must be a JSON list");
  return value.map((item: unknown) => {
    const entry = item as { md5?: unknown; relpath?: unknown };
    if (typeof entry.md5 !== "string" || typeof entry.relpath !== "string")
      throw new Error("every .dir entry needs string md5 and relpath");
    return { md5: entry.md5, relpath: entry.relpath };
  });
}
