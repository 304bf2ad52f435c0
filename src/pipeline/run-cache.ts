/**
 * @module pipeline/run-cache
 * The run-cache (reference/dvc.md §2.5): every successful run is remembered under
 * `<cache>/runs/<key[:2]>/<key>/<value>`, where key = sha256 of the lock entry with outputs
 * reduced to their paths and value = sha256 of the whole entry, both without `size`/`nfiles`,
 * hashed as Python's `json.dumps(sort_keys=True)`. A later run with the same command,
 * dependencies and params checks the outputs out instead of running.
 */
import { createHash } from "node:crypto";
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomic } from "../core/fs.js";
import { pythonJsonDumps } from "../core/python-json.js";
import { parseLockFile, serializeEntry } from "./lockfile.js";
import { isAlwaysChanged } from "./status.js";
import type { LockEntry, Stage } from "./types.js";
import { emitYaml } from "./yaml-emit.js";

function withoutSizes(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSizes);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value))
      if (key !== "size" && key !== "nfiles") out[key] = withoutSizes(item);
    return out;
  }
  return value;
}

function sha256(value: unknown): string {
  return createHash("sha256")
    .update(pythonJsonDumps(withoutSizes(value)))
    .digest("hex");
}

/** The run-cache key of a lock entry (its outputs' hashes do not count). */
export function runCacheKey(entry: LockEntry): string {
  const record = serializeEntry(entry);
  if (record.outs !== undefined) record.outs = (record.outs as { path: string }[]).map((out) => out.path);
  return sha256(record);
}

/** The run-cache value name of a lock entry (outputs' hashes included). */
export function runCacheValue(entry: LockEntry): string {
  return sha256(serializeEntry(entry));
}

/** Whether runs of `stage` may be cached: a command, dependencies and outputs, none persistent. */
export function canRunCache(stage: Stage): boolean {
  if (isAlwaysChanged(stage) || stage.alwaysChanged) return false;
  if (stage.deps.length + stage.params.length === 0) return false;
  const outputs = [...stage.outs, ...stage.metrics, ...stage.plots];
  return outputs.length > 0 && outputs.every((output) => !output.persist);
}

function entryDir(cacheDir: string, key: string): string {
  return join(cacheDir, "runs", key.slice(0, 2), key);
}

/** Records a successful run. */
export async function saveRun(cacheDir: string, entry: LockEntry): Promise<string> {
  const key = runCacheKey(entry);
  const file = join(entryDir(cacheDir, key), runCacheValue(entry));
  await writeFileAtomic(file, emitYaml(serializeEntry(entry)));
  return file;
}

/** Earlier runs with the same key as `entry` (newest first). */
export async function findRuns(cacheDir: string, entry: LockEntry): Promise<LockEntry[]> {
  const dir = entryDir(cacheDir, runCacheKey(entry));
  let names: string[];
  try {
    names = (await readdir(dir)).filter((name) => /^[0-9a-f]{64}$/.test(name));
  } catch {
    return [];
  }
  const found: { entry: LockEntry; mtime: number }[] = [];
  for (const name of names) {
    const file = join(dir, name);
    try {
      const text = await readFile(file, "utf8");
      // Entries are bare lock entries; wrap them to reuse the lock file validation.
      const parsed = parseLockFile(`schema: '2.0'\nstages:\n  run:\n${indent(text)}`, file).get("run");
      if (parsed) found.push({ entry: parsed, mtime: (await stat(file)).mtimeMs });
    } catch {
      // A damaged entry is only a missed shortcut: the stage runs.
    }
  }
  return found.sort((a, b) => b.mtime - a.mtime).map((item) => item.entry);
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((line) => (line === "" ? line : `    ${line}`))
    .join("\n");
}
