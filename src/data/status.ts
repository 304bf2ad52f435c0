/**
 * @module data/status
 * `lathe status`: what changed in the workspace against its `.dvc` files, per output — `modified`,
 * `deleted`, `new` (no hash recorded yet) or `not in cache` — with per-file detail for directories
 * whose previous manifest is in the cache (reference/dvc.md §3 "status").
 */
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
  if (current.kind === "dir")
    for (const entry of current.manifest.entries)
      if (!(await workspace.cache.has(entry.md5, legacy))) return { ...base, state: "not in cache" };
  return undefined;
}

/** Changed outputs of the workspace (all, or those named by `targets`); empty when up to date. */
export async function dataStatus(
  workspace: Workspace,
  targets: readonly string[] = [],
  cwd: string = process.cwd(),
): Promise<OutStatus[]> {
  const outs = filterOuts(await collectOuts(workspace), targets, cwd);
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
