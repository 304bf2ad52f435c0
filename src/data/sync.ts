/**
 * @module data/sync
 * `lathe push|fetch|pull`: moves the objects the workspace's `.dvc` files name between the cache and
 * a remote. Push uploads what the remote lacks; fetch downloads what the cache lacks (a directory's
 * `.dir` manifest first, then its files), every download hash-checked; pull is fetch then checkout,
 * and checks nothing out when any object could not be fetched, naming the file whose version the
 * remote lacks and how its author fixes that.
 */
import { chmod, link, lstat, rm, stat } from "node:fs/promises";
import { dirname } from "node:path";
import { invalidParameter, LatheError } from "../core/errors.js";
import { type CheckoutResult, checkoutData } from "./checkout.js";
import { linkTypes } from "./config.js";
import { parseManifest } from "./manifest.js";
import { remoteSection } from "./remote-config.js";
import {
  type CopiesAlongside,
  defaultJobs,
  expectedMd5,
  openRemote,
  type Remote,
  remoteOptionsFromConfig,
  transfer,
  validateJobs,
} from "./remotes/index.js";
import type { TransferProgress } from "./remotes/transfer.js";
import { collectOuts, filterOuts, type TrackedOut, type Workspace } from "./workspace.js";

export interface SyncOptions {
  /** Remote name; default `[core] remote`. */
  remote?: string;
  jobs?: number;
  targets?: readonly string[];
  cwd?: string;
  onProgress?: (progress: TransferProgress) => void;
}

export interface SyncResult {
  /** Objects moved. */
  transferred: number;
  /** Objects already in place. */
  upToDate: number;
}

/** Opens the named (or default) remote of the repository's config. */
export function resolveRemote(workspace: Workspace, name?: string): { remote: Remote; name: string; jobs?: number } {
  const config = workspace.repo.config;
  const chosen = name ?? config.core?.remote;
  if (!chosen) {
    throw invalidParameter(
      "No remote given and no default remote set. Add one: lathe remote add -d storage /path/or/s3://bucket/prefix",
    );
  }
  const section = config[remoteSection(chosen)];
  if (!section?.url) {
    throw invalidParameter(
      `No remote named '${chosen}' in .dvc/config. See 'lathe remote list', or add it with 'lathe remote add ${chosen} <url>'.`,
    );
  }
  const { jobs, ...options } = remoteOptionsFromConfig(section);
  return {
    remote: openRemote(section.url, { ...options, name: chosen, baseDir: workspace.repo.dvcDir }),
    name: chosen,
    jobs,
  };
}

function outsOf(all: TrackedOut[], options: SyncOptions): TrackedOut[] {
  return filterOuts(all, options.targets ?? [], options.cwd ?? process.cwd()).filter(
    (out) => out.out.md5 !== undefined,
  );
}

/** The parallelism for `remote`: `-j`, else the remote's `jobs` setting, else the default for its kind. */
export function jobsFor(remote: Remote, configured: number | undefined, asked: number | undefined): number {
  return validateJobs(asked ?? configured ?? defaultJobs(remote));
}

/** True when the hash-reuse state saw the cache object hashed to its name and unchanged since. */
async function verifiedBefore(workspace: Workspace, path: string, hash: string): Promise<boolean> {
  try {
    return workspace.state.storedHash(path, await stat(path, { bigint: true }))?.md5 === expectedMd5(hash);
  } catch {
    return false;
  }
}

async function sizeOf(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).size;
  } catch {
    return undefined;
  }
}

/** Every object an output needs: the file, or a directory's manifest and its files (from the cache). */
async function cachedObjectsOf(workspace: Workspace, out: TrackedOut): Promise<string[]> {
  const md5 = out.out.md5!;
  if (!md5.endsWith(".dir")) return [md5];
  const entries = parseManifest(await workspace.cache.readManifest(md5));
  return [md5, ...entries.map((entry) => entry.md5)];
}

export async function push(workspace: Workspace, options: SyncOptions = {}): Promise<SyncResult> {
  const { remote, jobs } = resolveRemote(workspace, options.remote);
  const hashes = new Set<string>();
  const missingLocally: string[] = [];
  for (const out of outsOf(await collectOuts(workspace), options)) {
    if (!(await workspace.cache.has(out.out.md5!))) {
      missingLocally.push(out.relpath);
      continue;
    }
    for (const hash of await cachedObjectsOf(workspace, out)) hashes.add(hash);
  }
  if (missingLocally.length > 0) {
    throw new LatheError(
      "RESOURCE_DOES_NOT_EXIST",
      `Not in the local cache, so cannot be pushed: ${missingLocally.join(", ")}. Run 'lathe add' (or 'lathe fetch') for them first.`,
    );
  }
  const present = await remote.exists([...hashes]);
  const wanted = [...hashes].filter((hash) => !present.has(hash));
  const objects = await Promise.all(
    wanted.map(async (hash) => {
      const path = workspace.cache.objectPath(hash);
      const size = await sizeOf(path);
      const knownGood = await verifiedBefore(workspace, path, hash);
      return {
        hash,
        size,
        run: (onBytes: (bytes: number) => void) => remote.upload(path, hash, { onBytes, knownGood }),
      };
    }),
  );
  const result = await transfer(objects, { jobs: jobsFor(remote, jobs, options.jobs), onProgress: options.onProgress });
  if (result.failed.length > 0) {
    throw new LatheError(
      "IO_ERROR",
      `${result.failed.length} object(s) failed to push: ${result.failed.map((failure) => `${failure.hash}: ${failure.error.message}`).join("; ")}. Run 'lathe push' again; objects already sent are skipped.`,
    );
  }
  return { transferred: result.transferred.length, upToDate: hashes.size - wanted.length };
}

interface FetchFailure {
  path: string;
  hash: string;
  message: string;
}

async function download(
  workspace: Workspace,
  remote: Remote,
  hashes: string[],
  jobs: number,
  onProgress: SyncOptions["onProgress"],
  early?: EarlyCopies,
) {
  const objects = hashes.map((hash) => ({
    hash,
    run: async (onBytes: (bytes: number) => void) => {
      const target = workspace.cache.objectPath(hash);
      await remote.download(hash, target, { onBytes, alongside: early?.alongside(hash) });
      await chmod(target, 0o444);
      // Verified while downloading: remembered, so a later push need not read it through md5 again.
      await workspace.state.recordKnown(target, { md5: expectedMd5(hash), size: (await stat(target)).size });
    },
  }));
  return transfer(objects, { jobs, onProgress });
}

/**
 * The files a pull copies while it fetches: each tracked file (not a directory) whose path is free
 * and whose folder exists, when checkout would copy it anyway (`[cache] type` of reflink and copy
 * only). Reading each object once for the cache and the workspace, while its md5 is still being
 * checked, saves the second pass checkout would make. The copies wait under temporary names until
 * every object arrived: a pull that fails leaves the workspace as it found it.
 */
class EarlyCopies {
  readonly #paths = new Map<string, string[]>();
  readonly #made: { path: string; temporary: string; md5: string }[] = [];
  /** Workspace paths put in place. */
  readonly placed = new Set<string>();

  private constructor(private readonly modes: readonly ("reflink" | "copy")[]) {}

  static async plan(workspace: Workspace, outs: readonly TrackedOut[]): Promise<EarlyCopies | undefined> {
    const types = linkTypes(workspace.repo.config);
    if (!types.every((type) => type === "reflink" || type === "copy")) return undefined;
    const early = new EarlyCopies(types as ("reflink" | "copy")[]);
    for (const out of outs) {
      const md5 = out.out.md5!;
      if (md5.endsWith(".dir") || out.out.hash !== "md5") continue;
      if (!(await isFreeInFolder(out.absolute))) continue;
      const paths = early.#paths.get(md5) ?? [];
      if (!paths.includes(out.absolute)) paths.push(out.absolute);
      early.#paths.set(md5, paths);
    }
    return early.#paths.size > 0 ? early : undefined;
  }

  alongside(hash: string): CopiesAlongside | undefined {
    const paths = this.#paths.get(hash);
    if (!paths) return undefined;
    return {
      paths,
      modes: this.modes,
      onCopied: (path, temporary) => this.#made.push({ path, temporary, md5: hash }),
    };
  }

  /** Removes every copy made (the pull failed). */
  async discard(): Promise<void> {
    await Promise.all(this.#made.map(({ temporary }) => rm(temporary, { force: true })));
    this.#made.length = 0;
  }

  /** Puts each copy at its path, never over a file that appeared meanwhile, and remembers its hash. */
  async commit(workspace: Workspace): Promise<void> {
    for (const { path, temporary, md5 } of this.#made) {
      try {
        await link(temporary, path);
        await workspace.state.recordKnown(path, { md5, size: (await stat(path)).size });
        this.placed.add(path);
      } catch {
        // Taken meanwhile, or no hard links here: checkout decides about this path as usual.
      } finally {
        await rm(temporary, { force: true });
      }
    }
    this.#made.length = 0;
  }
}

/** True when nothing is at `path` and its folder exists. */
async function isFreeInFolder(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return false;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") return false;
  }
  try {
    return (await stat(dirname(path))).isDirectory();
  } catch {
    return false;
  }
}

export async function fetch(
  workspace: Workspace,
  options: SyncOptions = {},
): Promise<SyncResult & { failures: FetchFailure[] }> {
  return fetchOuts(workspace, outsOf(await collectOuts(workspace), options), options);
}

/** Fetches the objects of `outs` (pull passes the outputs it already read, and its early copies). */
async function fetchOuts(
  workspace: Workspace,
  outs: readonly TrackedOut[],
  options: SyncOptions,
  early?: EarlyCopies,
): Promise<SyncResult & { failures: FetchFailure[] }> {
  const { remote, jobs: configured } = resolveRemote(workspace, options.remote);
  const jobs = jobsFor(remote, configured, options.jobs);
  const failures: FetchFailure[] = [];
  const owner = new Map<string, string>();
  let transferred = 0;
  let upToDate = 0;
  // Manifests first: a directory's file list lives in its .dir object.
  const manifests = outs.filter((out) => out.out.md5!.endsWith(".dir"));
  for (const out of manifests) owner.set(out.out.md5!, out.relpath);
  const missingManifests: string[] = [];
  for (const out of manifests) if (!(await workspace.cache.has(out.out.md5!))) missingManifests.push(out.out.md5!);
  const manifestResult = await download(workspace, remote, missingManifests, jobs, options.onProgress);
  transferred += manifestResult.transferred.length;
  for (const failure of manifestResult.failed)
    failures.push({ path: owner.get(failure.hash) ?? "?", hash: failure.hash, message: failure.error.message });
  const files = new Set<string>();
  for (const out of outs) {
    const md5 = out.out.md5!;
    if (!md5.endsWith(".dir")) {
      owner.set(md5, out.relpath);
      files.add(md5);
      continue;
    }
    if (!(await workspace.cache.has(md5))) continue;
    for (const entry of parseManifest(await workspace.cache.readManifest(md5))) {
      owner.set(entry.md5, `${out.relpath}/${entry.relpath}`);
      files.add(entry.md5);
    }
  }
  const missing: string[] = [];
  for (const hash of files) {
    if (await workspace.cache.has(hash)) upToDate++;
    else missing.push(hash);
  }
  const result = await download(workspace, remote, missing, jobs, options.onProgress, early);
  transferred += result.transferred.length;
  for (const failure of result.failed)
    failures.push({ path: owner.get(failure.hash) ?? "?", hash: failure.hash, message: failure.error.message });
  return { transferred, upToDate, failures };
}

/** fetch, then checkout — or, when anything is missing, an error naming each file and nothing checked out. */
export async function pull(
  workspace: Workspace,
  options: SyncOptions & { force?: boolean } = {},
): Promise<SyncResult & { checkout: CheckoutResult }> {
  const outs = outsOf(await collectOuts(workspace), options);
  const early = await EarlyCopies.plan(workspace, outs);
  let fetched: Awaited<ReturnType<typeof fetch>>;
  try {
    fetched = await fetchOuts(workspace, outs, options, early);
  } catch (error) {
    await early?.discard();
    throw error;
  }
  if (fetched.failures.length > 0) {
    await early?.discard();
    const lines = fetched.failures.map((failure) => `  ${failure.path} (${failure.hash}): ${failure.message}`);
    throw new LatheError(
      "RESOURCE_DOES_NOT_EXIST",
      `The remote lacks the version of ${fetched.failures.length} file(s) that the .dvc files name; nothing was checked out:\n${lines.join("\n")}\nThe data was most likely changed and its .dvc file committed without 'lathe push': whoever changed it runs 'lathe push' from their workspace.`,
    );
  }
  await early?.commit(workspace);
  const checkout = await checkoutData(
    workspace,
    options.targets ?? [],
    { force: options.force },
    options.cwd ?? process.cwd(),
  );
  if (early && early.placed.size > 0) {
    // Files placed during the fetch were absent before the pull: they count as added.
    const added = new Set(checkout.added);
    for (const out of outs) if (early.placed.has(out.absolute)) added.add(out.relpath);
    const ordered = outs.map((out) => out.relpath).filter((relpath) => added.has(relpath));
    checkout.added.splice(0, checkout.added.length, ...ordered);
  }
  return { transferred: fetched.transferred, upToDate: fetched.upToDate, checkout };
}
