/**
 * @module data/status
 * `lathe status`: what changed in the workspace against its `.dvc` files, per output — `modified`,
 * `deleted`, `new` (no hash recorded yet) or `not in cache` — with per-file detail for directories
 * whose previous manifest is in the cache (reference/dvc.md §3 "status"). With a remote (`status -c`),
 * which referenced objects are only in the cache, only on the remote, or in neither (§3 "status -c").
 */
import { basename } from "node:path";
import { LatheError } from "../core/errors.js";
import { parseManifest } from "./manifest.js";
import { hashPath } from "./walk.js";
import { collectOuts, filterOuts, repoRelative, type TrackedOut, type Workspace } from "./workspace.js";

/** The state of one changed output, DVC's words. */
export type OutState = "modified" | "deleted" | "new" | "not in cache";

/** One changed output. */
export interface OutStatus {
  /** Repository-relative `.dvc` file. */
  readonly pointer: string;
  /** Repository-relative tracked path. */
  readonly path: string;
  readonly state: OutState;
  /** For directories: files inside that were added, modified or deleted (relpaths). */
  readonly files?: { readonly added: string[]; readonly modified: string[]; readonly deleted: string[] };
}

async function directoryDetail(
  workspace: Workspace,
  recordedMd5: string,
  current: readonly { relpath: string; md5: string }[],
  legacy: boolean,
): Promise<OutStatus["files"]> {
  let recorded: { relpath: string; md5: string }[];
  try {
    recorded = parseManifest(await workspace.cache.readManifest(recordedMd5, legacy));
  } catch {
    return undefined; // The old manifest is not in the cache: only the directory-level state is known.
  }
  const before = new Map(recorded.map((entry) => [entry.relpath, entry.md5]));
  const now = new Map(current.map((entry) => [entry.relpath, entry.md5]));
  const added = [...now.keys()].filter((path) => !before.has(path));
  const deleted = [...before.keys()].filter((path) => !now.has(path));
  const modified = [...now.keys()].filter((path) => before.has(path) && before.get(path) !== now.get(path));
  return { added, modified, deleted };
}

async function statusOf(workspace: Workspace, tracked: TrackedOut): Promise<OutStatus | undefined> {
  const base = { pointer: repoRelative(workspace, tracked.pointerFile), path: tracked.relpath };
  const recorded = tracked.out.md5;
  await workspace.ignore.loadAncestors(tracked.absolute);
  // DVC 2 entries (no `hash: md5`) are compared with their own hash and cache layout.
  const legacy = tracked.out.hash !== "md5";
  const current = await hashPath(tracked.absolute, workspace.ignore, workspace.state, legacy ? "md5-dos2unix" : "md5");
  if (current === undefined) return { ...base, state: "deleted" };
  if (recorded === undefined) return { ...base, state: "new" };
  if (current.md5 !== recorded) {
    if (current.kind === "dir" && recorded.endsWith(".dir"))
      return {
        ...base,
        state: "modified",
        files: await directoryDetail(workspace, recorded, current.manifest.entries, legacy),
      };
    return { ...base, state: "modified" };
  }
  if (!(await workspace.cache.has(recorded, legacy))) return { ...base, state: "not in cache" };
  if (current.kind === "dir" && !(await allInCache(workspace, recorded, () => current.manifest.entries, legacy)))
    return { ...base, state: "not in cache" };
  return undefined;
}

/**
 * True when every file of a directory is in the cache. A directory seen complete before is not
 * checked object by object again while no cache folder has changed (no object came or went).
 */
async function allInCache(
  workspace: Workspace,
  dirMd5: string,
  entries: () => readonly { md5: string }[],
  legacy: boolean,
): Promise<boolean> {
  const token = workspace.cache.foldersToken(legacy);
  const key = legacy ? `legacy:${dirMd5}` : dirMd5;
  if (token !== undefined && workspace.state.knownComplete(key, token)) return true;
  for (const entry of entries()) if (!(await workspace.cache.has(entry.md5, legacy))) return false;
  if (token !== undefined) workspace.state.rememberComplete(key, token);
  return true;
}

/** Changed outputs of the workspace (all, or those named by `targets`); empty when up to date. */
export async function dataStatus(
  workspace: Workspace,
  targets: readonly string[] = [],
  cwd: string = process.cwd(),
): Promise<OutStatus[]> {
  // Stage outputs recorded in dvc.lock are reported per stage by the pipeline status.
  const outs = filterOuts(await collectOuts(workspace), targets, cwd).filter(
    (out) => basename(out.pointerFile) !== "dvc.lock",
  );
  if (targets.length > 0 && outs.length === 0)
    throw new LatheError(
      "RESOURCE_DOES_NOT_EXIST",
      `No .dvc file tracks ${targets.join(", ")}. Run 'lathe add' on the data first, or 'lathe status' for everything.`,
    );
  const changes: OutStatus[] = [];
  for (const tracked of outs) {
    const status = await statusOf(workspace, tracked);
    if (status) changes.push(status);
  }
  return changes;
}

/** Where an object stands between the local cache and a remote, DVC's words (`status -c`). */
export type CloudState = "new" | "deleted" | "missing";

/** One object that is not on both sides. */
export interface CloudObjectStatus {
  /** Repository-relative path of the file (inside a directory: `dir/relpath`); a directory's manifest is `dir`. */
  readonly path: string;
  readonly hash: string;
  readonly state: CloudState;
}

/** `status -c`: the remote compared and the objects out of sync (empty when in sync). */
export interface CloudStatus {
  readonly remote: string;
  readonly objects: CloudObjectStatus[];
}

/** Options of {@link cloudStatus}. */
export interface CloudStatusOptions {
  /** Remote name; default `[core] remote`. */
  remote?: string;
  /** Existence checks in flight on the remote (`-j`). */
  jobs?: number;
  targets?: readonly string[];
  cwd?: string;
}

/**
 * Compares the objects the targets' outputs reference — files, and a directory's manifest plus its
 * files as push sends them — between the local cache and a remote: `new` (only in the cache),
 * `deleted` (only on the remote), `missing` (in neither). A directory whose manifest is in neither
 * place can only be reported as a whole.
 */
export async function cloudStatus(workspace: Workspace, options: CloudStatusOptions = {}): Promise<CloudStatus> {
  // The remote code loads only for -c: a plain status never touches a remote.
  const { jobsFor, resolveRemote } = await import("./sync.js");
  const { remote, name, jobs: configured } = resolveRemote(workspace, options.remote);
  const targets = options.targets ?? [];
  const outs = filterOuts(await collectOuts(workspace), targets, options.cwd ?? process.cwd());
  if (targets.length > 0 && outs.length === 0)
    throw new LatheError(
      "RESOURCE_DOES_NOT_EXIST",
      `No .dvc file tracks ${targets.join(", ")}. Run 'lathe add' on the data first, or 'lathe status -c' for everything.`,
    );
  const objects: { path: string; hash: string }[] = [];
  const local = new Set<string>();
  const checkLocal = async (hash: string) => {
    if (await workspace.cache.has(hash)) local.add(hash);
  };
  for (const tracked of outs) {
    const md5 = tracked.out.md5;
    if (md5 === undefined) continue;
    objects.push({ path: tracked.relpath, hash: md5 });
    await checkLocal(md5);
    if (!md5.endsWith(".dir") || !local.has(md5)) continue;
    let entries: { relpath: string; md5: string }[];
    try {
      entries = parseManifest(await workspace.cache.readManifest(md5));
    } catch (error) {
      throw new LatheError(
        "INVALID_STATE",
        `The cached manifest ${md5} of '${tracked.relpath}' cannot be read (${error instanceof Error ? error.message : error}). Run 'lathe add ${tracked.relpath}' or 'lathe fetch' to restore it.`,
      );
    }
    for (const entry of entries) {
      objects.push({ path: `${tracked.relpath}/${entry.relpath}`, hash: entry.md5 });
      await checkLocal(entry.md5);
    }
  }
  const hashes = [...new Set(objects.map((object) => object.hash))];
  const onRemote = await remote.exists(hashes, { jobs: jobsFor(remote, configured, options.jobs) });
  const changed: CloudObjectStatus[] = [];
  for (const object of objects) {
    const inCache = local.has(object.hash);
    const remoteHas = onRemote.has(object.hash);
    if (inCache && remoteHas) continue;
    changed.push({ ...object, state: inCache ? "new" : remoteHas ? "deleted" : "missing" });
  }
  return { remote: name, objects: changed };
}
