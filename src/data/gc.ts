/**
 * @module data/gc
 * `lathe gc --workspace`: delete every cache object that the workspace's `.dvc` files do not
 * reference, directly or through a `.dir` manifest — and with `-c` every such object on a remote
 * too (reference/dvc.md §3 "gc").
 */
import { LatheError } from "../core/errors.js";
import { parseManifest } from "./manifest.js";
import { resolveRemote } from "./sync.js";
import { collectOuts, type Workspace } from "./workspace.js";

/** What gc kept and removed (object names, `.dir` suffix included). */
export interface GcResult {
  readonly kept: number;
  readonly removed: string[];
  /** With `cloud`: the same for the remote. */
  readonly remote?: { readonly name: string; readonly kept: number; readonly removed: string[] };
}

/** Options of {@link collectGarbage}. */
export interface GcOptions {
  /** Only report what would be deleted. */
  dry?: boolean;
  /** Also delete unused objects from a remote (`-c`). */
  cloud?: boolean;
  /** The remote for `cloud`; default `[core] remote`. */
  remote?: string;
}

/** The objects the workspace's `.dvc` files use; refuses when a used `.dir` manifest is missing. */
export async function usedObjects(workspace: Workspace): Promise<Set<string>> {
  const used = new Set<string>();
  for (const tracked of await collectOuts(workspace)) {
    const md5 = tracked.out.md5;
    if (md5 === undefined) continue;
    used.add(md5);
    if (!md5.endsWith(".dir")) continue;
    let text: string;
    try {
      text = await workspace.cache.readManifest(md5);
    } catch {
      throw new LatheError(
        "INVALID_STATE",
        `The cache lacks the manifest ${md5} of '${tracked.relpath}', so gc cannot tell which files it uses. Restore it ('lathe pull' or 'lathe add ${tracked.relpath}') before running gc.`,
      );
    }
    for (const entry of parseManifest(text)) used.add(entry.md5);
  }
  return used;
}

/** Lists (`dry`) or deletes every object of the remote that `used` does not name. */
async function collectRemoteGarbage(
  workspace: Workspace,
  used: ReadonlySet<string>,
  options: GcOptions,
): Promise<NonNullable<GcResult["remote"]>> {
  const { remote, name } = resolveRemote(workspace, options.remote);
  const removed: string[] = [];
  let kept = 0;
  for await (const hash of remote.list()) {
    if (used.has(hash)) kept++;
    else removed.push(hash);
  }
  if (!options.dry) await remote.delete(removed);
  return { name, kept, removed };
}

/** Lists (with `dry`) or deletes unused objects, from the cache and with `cloud` from a remote too. */
export async function collectGarbage(workspace: Workspace, options: GcOptions = {}): Promise<GcResult> {
  if (options.remote !== undefined && !options.cloud)
    throw new LatheError(
      "INVALID_PARAMETER_VALUE",
      `-r ${options.remote} names the remote gc cleans with -c; add -c to delete unused objects from it too, or drop -r.`,
    );
  if (options.cloud && options.remote === undefined && !workspace.repo.config.core?.remote)
    throw new LatheError(
      "INVALID_PARAMETER_VALUE",
      "gc -c deletes unused objects from a remote, but none was named and no default remote is set. Pass -r <name>, or set a default with 'lathe remote default <name>'.",
    );
  // Resolving first makes an unknown remote name fail before anything is deleted.
  if (options.cloud) resolveRemote(workspace, options.remote);
  const used = await usedObjects(workspace);
  const removed: string[] = [];
  let kept = 0;
  for (const name of await workspace.cache.listObjects()) {
    if (used.has(name)) {
      kept++;
      continue;
    }
    if (!options.dry) await workspace.cache.remove(name);
    removed.push(name);
  }
  if (!options.dry) await workspace.cache.clearStaging();
  if (!options.cloud) return { kept, removed };
  return { kept, removed, remote: await collectRemoteGarbage(workspace, used, options) };
}
