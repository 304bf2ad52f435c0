/**
 * @module data/workspace
 * One command's view of a data repository: its cache, hash state and ignore rules, and the outputs
 * its `.dvc` files track. Commands open it, work, and close it.
 */
import { statSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { dirname, join, relative, resolve, sep } from "node:path";
import { ObjectCache } from "./cache.js";
import { IgnoreMatcher } from "./ignore.js";
import type { PointerOut } from "./pointer.js";
import { type DataRepo, openDataRepo } from "./repo.js";
import { HashState } from "./state.js";

/** An output of a `.dvc` file, with paths resolved. */
export interface TrackedOut {
  /** The `.dvc` file, absolute. */
  readonly pointerFile: string;
  /** The tracked path, absolute. */
  readonly absolute: string;
  /** The tracked path relative to the repository root, POSIX form. */
  readonly relpath: string;
  readonly out: PointerOut;
}

/** An open data repository with its cache, state and ignore rules. */
export interface Workspace {
  readonly repo: DataRepo;
  readonly cache: ObjectCache;
  readonly state: HashState;
  readonly ignore: IgnoreMatcher;
  close(): void;
}

/** Opens the data repository containing `cwd`. */
export async function openWorkspace(cwd: string = process.cwd()): Promise<Workspace> {
  const repo = await openDataRepo(cwd);
  const ignore = new IgnoreMatcher(repo.root);
  await ignore.loadFolder(repo.root);
  const state = new HashState(repo.tmpDir);
  return { repo, cache: new ObjectCache(repo.cacheDir), state, ignore, close: () => state.close() };
}

/** Stores one workspace file in the cache, reusing a remembered hash when the object is already there. */
export async function storeInCache(workspace: Workspace, absolute: string): Promise<{ md5: string; size: number }> {
  const before = statSync(absolute, { bigint: true });
  const known = workspace.state.storedHash(absolute, before);
  if (known && (await workspace.cache.has(known.md5))) return known;
  const { placed, ...stored } = await workspace.cache.storeFile(absolute, Number(before.size));
  // A new object was hashed as it entered the cache; remembering it spares push a second read.
  if (placed) await workspace.state.recordKnown(workspace.cache.objectPath(stored.md5), stored);
  await workspace.state.remember(absolute, before, stored);
  return stored;
}

/** A path relative to the repository root in POSIX form. */
export function repoRelative(workspace: Workspace, absolute: string): string {
  return relative(workspace.repo.root, absolute).split(sep).join("/");
}

/** The `.dvc` files and `dvc.lock` files of the workspace (not inside ignored folders), sorted. */
async function scanWorkspace(workspace: Workspace): Promise<{ pointers: string[]; locks: string[] }> {
  const pointers: string[] = [];
  const locks: string[] = [];
  async function visit(folder: string): Promise<void> {
    await workspace.ignore.loadFolder(folder);
    const entries = await readdir(folder, { withFileTypes: true });
    const names = new Set(entries.map((entry) => entry.name));
    for (const entry of entries) {
      const absolute = join(folder, entry.name);
      if (entry.isDirectory()) {
        // A folder with a sibling `<name>.dvc` is tracked data, which holds no .dvc files (outputs
        // may not overlap); skipping it keeps status fast on large directories.
        if (!names.has(`${entry.name}.dvc`) && !workspace.ignore.isIgnored(absolute, true)) await visit(absolute);
      } else if (!entry.isFile() || workspace.ignore.isIgnored(absolute, false)) continue;
      else if (entry.name.endsWith(".dvc")) pointers.push(absolute);
      else if (entry.name === "dvc.lock") locks.push(absolute);
    }
  }
  await visit(workspace.repo.root);
  return { pointers: pointers.sort(), locks: locks.sort() };
}

/** Every `.dvc` file in the workspace (not inside ignored folders), sorted. */
export async function findPointerFiles(workspace: Workspace): Promise<string[]> {
  return (await scanWorkspace(workspace)).pointers;
}

/**
 * Every output tracked by the workspace's `.dvc` files, then the cached stage outputs recorded in
 * `dvc.lock` files (their `pointerFile` is the lock file); malformed files throw naming the file.
 */
export async function collectOuts(workspace: Workspace): Promise<TrackedOut[]> {
  const outs: TrackedOut[] = [];
  // Loaded here so that opening a workspace does not load the YAML library.
  const { readPointer } = await import("./pointer.js");
  const { pointers, locks } = await scanWorkspace(workspace);
  for (const pointerFile of pointers) {
    const pointer = await readPointer(pointerFile);
    for (const out of pointer.outs) {
      const absolute = resolve(dirname(pointerFile), out.path);
      outs.push({ pointerFile, absolute, relpath: repoRelative(workspace, absolute), out });
    }
  }
  // Without a dvc.lock there are no stage outputs, and the pipeline code need not load.
  if (locks.length > 0) outs.push(...(await pipelineOuts(workspace)));
  return outs;
}

/** Cached outputs of pipeline stages, from `dvc.lock` (loaded lazily: most data commands have no pipeline). */
async function pipelineOuts(workspace: Workspace): Promise<TrackedOut[]> {
  const { lockedCachedOutputs } = await import("../pipeline/tracked.js");
  const root = workspace.repo.root;
  return (await lockedCachedOutputs(root)).map(({ lockFile, path, entry }) => ({
    pointerFile: join(root, ...lockFile.split("/")),
    absolute: join(root, ...path.split("/")),
    relpath: path,
    out: { path: entry.path, md5: entry.md5, size: entry.size, nfiles: entry.nfiles, hash: entry.hash, extra: {} },
  }));
}

/** Keeps the outputs named by `targets` (a `.dvc` file, a tracked path, or a folder holding them). */
export function filterOuts(outs: readonly TrackedOut[], targets: readonly string[], cwd: string): TrackedOut[] {
  if (targets.length === 0) return [...outs];
  const wanted = targets.map((target) => resolve(cwd, target));
  return outs.filter((out) =>
    wanted.some(
      (target) => target === out.pointerFile || target === out.absolute || out.absolute.startsWith(`${target}${sep}`),
    ),
  );
}
