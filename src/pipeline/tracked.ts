/**
 * @module pipeline/tracked
 * The cached outputs that `dvc.lock` files record, for the data commands (push, pull, checkout,
 * gc) to treat like the outputs of `.dvc` files.
 */
import { stageOutputs } from "./graph.js";
import { readLockFile } from "./lockfile.js";
import { loadPipelines } from "./parse.js";
import { workspaceSource } from "./source.js";
import { type LockedPath, lockFileFor, repoPath } from "./types.js";

/** A cached output recorded in a lock file. */
export interface LockedOutput {
  /** Repository-relative `dvc.lock`. */
  lockFile: string;
  stage: string;
  /** Repository-relative output path. */
  path: string;
  entry: LockedPath;
}

/** Every cached stage output with a hash in the lock files of the repository at `root` (absolute). */
export async function lockedCachedOutputs(root: string): Promise<LockedOutput[]> {
  const found: LockedOutput[] = [];
  for (const pipeline of await loadPipelines(workspaceSource(root))) {
    const lockFile = lockFileFor(pipeline.file);
    const lock = await readLockFile(root, lockFile);
    if (lock.size === 0) continue;
    for (const stage of pipeline.stages) {
      const entry = lock.get(stage.name);
      if (!entry) continue;
      for (const output of stageOutputs(stage)) {
        if (output.def.cache === false) continue;
        const recorded = entry.outs.find((out) => repoPath(stage.wdir, out.path) === output.path);
        if (recorded?.md5 !== undefined)
          found.push({ lockFile, stage: stage.name, path: output.path, entry: recorded });
      }
    }
  }
  return found;
}
