/**
 * @module pipeline/lockfile
 * `dvc.lock`, schema 2.0 (reference/dvc.md §1.4, §0.7): reads DVC 3 entries and DVC 2 entries
 * (no `hash: md5`), and writes DVC's bytes — `cmd, deps, params, outs`; deps and outs sorted by
 * path with keys `path, hash, md5, size, nfiles`; params grouped by file, `params.yaml` first,
 * keys sorted. Each stage's entry is written as soon as it finishes, atomically, keeping the
 * entries of other stages in place.
 */
import type { BigIntStats } from "node:fs";
import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { LatheError } from "../core/errors.js";
import { writeFileAtomic } from "../core/fs.js";
import { compareCodePoints } from "../core/python-json.js";
import { parseFastYaml } from "./fast-yaml.js";
import type { LockEntry, LockedParams, LockedPath, LockFile } from "./types.js";
import { emitYaml } from "./yaml-emit.js";
import { yamlLib } from "./yaml-lib.js";

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function malformed(file: string, problem: string): LatheError {
  return new LatheError(
    "CONFIG_INVALID",
    `${file} is not a valid dvc.lock (schema 2.0): ${problem}. Fix it by hand, or delete it and run 'lathe repro' to rebuild it (stages will run again).`,
  );
}

function lockedPaths(file: string, stage: string, key: string, value: unknown): LockedPath[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw malformed(file, `stages.${stage}.${key} must be a list`);
  return value.map((item, index) => {
    if (!isPlainObject(item) || typeof item.path !== "string")
      throw malformed(file, `stages.${stage}.${key}[${index}] needs a 'path'`);
    const entry: LockedPath = { path: item.path };
    if (item.hash !== undefined) {
      if (item.hash !== "md5") throw malformed(file, `stages.${stage}.${key}[${index}].hash must be 'md5'`);
      entry.hash = "md5";
    }
    if (item.md5 !== undefined) {
      if (typeof item.md5 !== "string" || !/^[0-9a-f]{32}(\.dir)?$/.test(item.md5))
        throw malformed(file, `stages.${stage}.${key}[${index}].md5 must be 32 hex digits, optionally '.dir'`);
      entry.md5 = item.md5;
    }
    for (const field of ["size", "nfiles"] as const) {
      const number = item[field];
      if (number === undefined) continue;
      if (typeof number !== "number" || !Number.isInteger(number) || number < 0)
        throw malformed(file, `stages.${stage}.${key}[${index}].${field} must be a non-negative integer`);
      entry[field] = number;
    }
    if (typeof item.isexec === "boolean") entry.isexec = item.isexec;
    return entry;
  });
}

/** Parses `dvc.lock` text; `file` names it in errors. */
export function parseLockFile(text: string, file: string): LockFile {
  let value: unknown;
  try {
    const fast = parseFastYaml(text);
    value = fast ? fast.value : yamlLib().parse(text, { version: "1.2" });
  } catch (error) {
    throw malformed(file, `YAML does not parse (${error instanceof Error ? error.message.split("\n")[0] : error})`);
  }
  const lock: LockFile = new Map();
  if (value === null || value === undefined) return lock;
  if (!isPlainObject(value)) throw malformed(file, "the top level must be a mapping");
  if (value.schema !== "2.0")
    throw malformed(
      file,
      value.schema === undefined
        ? "it has no 'schema: '2.0'' line (DVC 1 lock files are not supported)"
        : `schema is '${String(value.schema)}', expected '2.0'`,
    );
  const stages = value.stages ?? {};
  if (!isPlainObject(stages)) throw malformed(file, "'stages' must be a mapping");
  for (const [name, raw] of Object.entries(stages)) {
    if (!isPlainObject(raw)) throw malformed(file, `stages.${name} must be a mapping`);
    const cmd = raw.cmd;
    if (typeof cmd !== "string" && !(Array.isArray(cmd) && cmd.every((item) => typeof item === "string")))
      throw malformed(file, `stages.${name}.cmd must be a string or a list of strings`);
    const params: LockedParams = {};
    if (raw.params !== undefined && raw.params !== null) {
      if (!isPlainObject(raw.params)) throw malformed(file, `stages.${name}.params must be a mapping of files`);
      for (const [paramsFile, values] of Object.entries(raw.params)) {
        if (values !== null && !isPlainObject(values))
          throw malformed(file, `stages.${name}.params.${paramsFile} must be a mapping of keys to values`);
        params[paramsFile] = values ?? {};
      }
    }
    lock.set(name, {
      cmd: cmd as string | string[],
      deps: lockedPaths(file, name, "deps", raw.deps),
      params,
      outs: lockedPaths(file, name, "outs", raw.outs),
    });
  }
  return lock;
}

// Parsed lock files are remembered in `.dvc/tmp/lathe-locks.json`, keyed by the lock file's inode,
// mtime and size, so an unchanged `dvc.lock` of a large pipeline costs one JSON.parse.
type ParsedCache = Record<string, { token: string; stages: [string, LockEntry][] }>;

function cacheFile(root: string): string {
  return join(root, ".dvc", "tmp", "lathe-locks.json");
}

function tokenOf(info: BigIntStats): string {
  return `${info.ino}:${info.mtimeNs}:${info.size}`;
}

// Within one process, the last lock read or written per file (a repro writes it after every stage).
const recent = new Map<string, { token: string; lock: LockFile }>();
const parsedCaches = new Map<string, ParsedCache>();

async function readParsedCache(root: string): Promise<ParsedCache> {
  const known = parsedCaches.get(root);
  if (known) return known;
  let cache: ParsedCache = {};
  try {
    cache = JSON.parse(await readFile(cacheFile(root), "utf8")) as ParsedCache;
  } catch {
    // No cache yet, or a torn one: parse the lock files again.
  }
  parsedCaches.set(root, cache);
  return cache;
}

/** True when JSON keeps `value` as it is (no NaN, infinities, dates or other objects). */
function survivesJson(value: unknown): boolean {
  if (typeof value === "number") return Number.isFinite(value) && !Object.is(value, -0);
  if (value === null || typeof value === "string" || typeof value === "boolean") return true;
  if (Array.isArray(value)) return value.every(survivesJson);
  if (typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype)
    return Object.values(value as Record<string, unknown>).every(survivesJson);
  return false;
}

async function rememberParsed(root: string, relpath: string, token: string, lock: LockFile): Promise<void> {
  if (![...lock.values()].every((entry) => survivesJson(entry.params))) return;
  try {
    await stat(join(root, ".dvc", "tmp"));
  } catch {
    return; // Not a data repository with a temp folder: nothing to remember into.
  }
  const cache = await readParsedCache(root);
  cache[relpath] = { token, stages: [...lock] };
  recent.set(join(root, relpath), { token, lock: new Map(lock) });
  await writeFile(cacheFile(root), JSON.stringify(cache)).catch(() => undefined);
}

/** Reads `<root>/<relpath>`; an absent file is an empty lock. */
export async function readLockFile(root: string, relpath: string): Promise<LockFile> {
  const path = join(root, relpath);
  let info: BigIntStats;
  try {
    info = await stat(path, { bigint: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return new Map();
    throw error;
  }
  const token = tokenOf(info);
  const mine = recent.get(path);
  if (mine?.token === token) return new Map(mine.lock);
  const cached = (await readParsedCache(root))[relpath];
  if (cached?.token === token) return new Map(cached.stages);
  const text = await readFile(path, "utf8");
  const lock = parseLockFile(text, relpath);
  // Only a file that did not change while it was read is remembered.
  if (tokenOf(await stat(path, { bigint: true })) === token) await rememberParsed(root, relpath, token, lock);
  return lock;
}

function pathRecord(entry: LockedPath): Record<string, unknown> {
  const record: Record<string, unknown> = { path: entry.path };
  if (entry.hash !== undefined) record.hash = entry.hash;
  if (entry.md5 !== undefined) record.md5 = entry.md5;
  if (entry.size !== undefined) record.size = entry.size;
  if (entry.nfiles !== undefined) record.nfiles = entry.nfiles;
  if (entry.isexec !== undefined) record.isexec = entry.isexec;
  return record;
}

const byPath = (a: LockedPath, b: LockedPath) => compareCodePoints(a.path, b.path);

/** Params in DVC's order: files sorted with `params.yaml` first, keys sorted within each file. */
export function orderParams(params: LockedParams): LockedParams {
  const files = Object.keys(params).sort(compareCodePoints);
  const index = files.indexOf("params.yaml");
  if (index > 0) files.unshift(...files.splice(index, 1));
  const ordered: LockedParams = {};
  for (const file of files) {
    const values = params[file]!;
    ordered[file] = Object.fromEntries(
      Object.keys(values)
        .sort(compareCodePoints)
        .map((key) => [key, values[key]]),
    );
  }
  return ordered;
}

/** One entry as DVC serialises it (key order and sorting applied; empty sections left out). */
export function serializeEntry(entry: LockEntry): Record<string, unknown> {
  const record: Record<string, unknown> = { cmd: entry.cmd };
  if (entry.deps.length > 0) record.deps = [...entry.deps].sort(byPath).map(pathRecord);
  if (Object.keys(entry.params).length > 0) record.params = orderParams(entry.params);
  if (entry.outs.length > 0) record.outs = [...entry.outs].sort(byPath).map(pathRecord);
  return record;
}

/** The text of a whole lock file. */
export function formatLockFile(lock: LockFile): string {
  const stages: Record<string, unknown> = {};
  for (const [name, entry] of lock) stages[name] = serializeEntry(entry);
  return emitYaml({ schema: "2.0", stages });
}

/**
 * Sets (or, with `undefined`, removes) one stage's entry in `<root>/<relpath>`, re-reading the
 * file first so entries written meanwhile survive; writes atomically.
 */
export async function writeLockEntry(
  root: string,
  relpath: string,
  stage: string,
  entry: LockEntry | undefined,
): Promise<void> {
  const lock = await readLockFile(root, relpath);
  if (entry === undefined) lock.delete(stage);
  else lock.set(stage, entry);
  const path = join(root, relpath);
  await writeFileAtomic(path, formatLockFile(lock));
  await rememberParsed(root, relpath, tokenOf(await stat(path, { bigint: true })), lock);
}
