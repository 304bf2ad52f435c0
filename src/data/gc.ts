/**
 * @module data/gc
 * `lathe gc --workspace`: delete every cache object that the workspace's `.dvc` files do not
 * reference, directly or through a `.dir` manifest (reference/dvc.md §3 "gc").
 */
import { LatheError } from "../core/errors.js";
import { parseManifest } from "./manifest.js";
import { collectOuts, type Workspace } from "./workspace.js";

/** What gc kept and removed (object names, `.dir` suffix included). */
export interface GcResult {
  readonly kept: number;
  readonly removed: string[];
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

/** Lists (with `dry`) or deletes unused objects. */
export async function collectGarbage(workspace: Workspace, options: { dry?: boolean } = {}): Promise<GcResult> {
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
  return { kept, removed };
}
