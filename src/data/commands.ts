/**
 * @module data/commands
 * The data commands as the CLI calls them: each opens the repository, takes the repository lock
 * (writers exclusive, readers shared) and runs one domain operation. Each operation's module loads
 * when its command runs, so `lathe status` starts without the transfer and checkout code.
 */
import type { AddResult } from "./add.js";
import type { CheckoutOptions, CheckoutResult } from "./checkout.js";
import type { DataDiff, DiffOptions } from "./diff.js";
import type { GcOptions, GcResult } from "./gc.js";
import { type LockOptions, withLock } from "./lock.js";
import type { DataRepo } from "./repo.js";
import { type CloudStatus, type CloudStatusOptions, cloudStatus, dataStatus, type OutStatus } from "./status.js";
import type { fetch, pull, SyncOptions, SyncResult } from "./sync.js";
import { openWorkspace, type Workspace } from "./workspace.js";

/** Options shared by the data commands. */
export interface CommandOptions {
  /** Folder the command runs in (default: the process's). */
  cwd?: string;
  lock?: LockOptions;
  /**
   * Called after each file is stored or found unchanged, with running counts and, once the paths
   * have been walked, the totals planned so far.
   */
  onProgress?: (progress: { files: number; bytes: number; totalFiles?: number; totalBytes?: number }) => void;
}

async function run<T>(
  mode: "read" | "write",
  options: Pick<CommandOptions, "cwd" | "lock">,
  action: (workspace: Workspace, cwd: string) => Promise<T>,
): Promise<T> {
  const cwd = options.cwd ?? process.cwd();
  const workspace = await openWorkspace(cwd);
  try {
    return await withLock(workspace.repo.tmpDir, mode, () => action(workspace, cwd), options.lock);
  } finally {
    workspace.close();
  }
}

/** `lathe add <paths…>`. */
export function addCommand(paths: readonly string[], options: CommandOptions = {}): Promise<AddResult[]> {
  return run("write", options, async (workspace, cwd) => {
    const { addPath } = await import("./add.js");
    const results: AddResult[] = [];
    const progress = { files: 0, bytes: 0, totalFiles: 0, totalBytes: 0 };
    const onStored = (bytes: number) => {
      progress.files++;
      progress.bytes += bytes;
      options.onProgress?.(progress);
    };
    const onPlanned = (files: number, bytes: number) => {
      progress.totalFiles += files;
      progress.totalBytes += bytes;
    };
    for (const path of paths) results.push(await addPath(workspace, path, cwd, onStored, onPlanned));
    return results;
  });
}

/** `lathe status [targets…]`. */
export function statusCommand(targets: readonly string[] = [], options: CommandOptions = {}): Promise<OutStatus[]> {
  return run("read", options, (workspace, cwd) => dataStatus(workspace, targets, cwd));
}

/** `lathe status -c [targets…]`: compares the cache with a remote; reads both, writes neither. */
export function cloudStatusCommand(
  options: CommandOptions & Omit<CloudStatusOptions, "cwd"> = {},
): Promise<CloudStatus> {
  return run("read", options, (workspace, cwd) => cloudStatus(workspace, { ...options, cwd }));
}

/** `lathe diff [a_rev] [b_rev]`: reads the workspace and git, writes nothing but hash reuse. */
export function diffCommand(options: CommandOptions & Omit<DiffOptions, "cwd"> = {}): Promise<DataDiff> {
  return run("read", options, async (workspace, cwd) =>
    (await import("./diff.js")).diffData(workspace, { ...options, cwd }),
  );
}

/** `lathe checkout [targets…]`. */
export function checkoutCommand(
  targets: readonly string[] = [],
  options: CommandOptions & CheckoutOptions = {},
): Promise<CheckoutResult> {
  return run("write", options, async (workspace, cwd) =>
    (await import("./checkout.js")).checkoutData(workspace, targets, options, cwd),
  );
}

/** `lathe gc --workspace [-c [-r remote]]`. */
export function gcCommand(options: CommandOptions & GcOptions = {}): Promise<GcResult> {
  return run("write", options, async (workspace) =>
    (await import("./gc.js")).collectGarbage(workspace, {
      dry: options.dry,
      cloud: options.cloud,
      remote: options.remote,
    }),
  );
}

/** Options of push, fetch and pull: their progress counts objects and bytes moved. */
export type SyncCommandOptions = Omit<CommandOptions, "onProgress"> & SyncOptions;

/** `lathe push [targets…]`: reads the workspace, writes only the remote. */
export function pushCommand(options: SyncCommandOptions = {}): Promise<SyncResult> {
  return run("read", options, async (workspace, cwd) =>
    (await import("./sync.js")).push(workspace, { ...options, cwd }),
  );
}

/** `lathe fetch [targets…]`: fills the cache from the remote. */
export function fetchCommand(options: SyncCommandOptions = {}): Promise<Awaited<ReturnType<typeof fetch>>> {
  return run("write", options, async (workspace, cwd) =>
    (await import("./sync.js")).fetch(workspace, { ...options, cwd }),
  );
}

/** `lathe pull [targets…]`: fetch, then checkout. */
export function pullCommand(options: SyncCommandOptions & { force?: boolean } = {}): ReturnType<typeof pull> {
  return run("write", options, async (workspace, cwd) =>
    (await import("./sync.js")).pull(workspace, { ...options, cwd }),
  );
}

/** `lathe remote …`: configuration edits under the repository lock. */
export function remoteCommand<T>(action: (repo: DataRepo) => Promise<T>, options: CommandOptions = {}): Promise<T> {
  return run("write", options, (workspace) => action(workspace.repo));
}
