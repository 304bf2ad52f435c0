/**
 * @module data/checkout
 * `lathe checkout`: make the workspace match the `.dvc` files from the cache, linking with
 * `[cache] type`. Workspace content that is not in the cache is never thrown away without `force`
 * (reference/dvc.md §3 "checkout").
 */
import { chmod, lstat, mkdir, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { LatheError } from "../core/errors.js";
import { type LinkType, linkTypes } from "./config.js";
import { linkObject, removeLeftoversOf } from "./link.js";
import { parseManifest } from "./manifest.js";
import { walkFiles } from "./walk.js";
import { collectOuts, filterOuts, type TrackedOut, type Workspace } from "./workspace.js";

/** Options of {@link checkoutData}. */
export interface CheckoutOptions {
  /** Overwrite or delete workspace content that is not in the cache. */
  force?: boolean;
  /** Relink even files whose content already matches. */
  relink?: boolean;
}

/** What checkout changed, as repository-relative paths (DVC prints them as `A` and `M`). */
export interface CheckoutResult {
  readonly added: string[];
  readonly modified: string[];
  /** Outputs whose objects are not in the cache (nothing was changed for them). */
  readonly missing: { path: string; md5: string }[];
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Sets the executable bits wherever the read bits are set, as the `isexec` of a `.dvc` output asks.
 * A hard- or symlinked file shares its mode with the cache object, which stays read-only either way.
 */
export async function makeExecutable(path: string): Promise<void> {
  const { mode } = await stat(path);
  const wanted = mode | ((mode & 0o444) >> 2);
  if ((wanted & 0o7777) !== (mode & 0o7777)) await chmod(path, wanted & 0o7777);
}

class Placer {
  private readonly types: LinkType[];

  constructor(
    private readonly workspace: Workspace,
    private readonly options: CheckoutOptions,
    private readonly unsafe: string[],
  ) {
    this.types = linkTypes(workspace.repo.config);
  }

  /** Puts object `md5` at `target`; returns "added", "modified" or undefined when already right. */
  async place(target: string, md5: string, label: string, legacy: boolean): Promise<"added" | "modified" | undefined> {
    const object = this.workspace.cache.objectPath(md5, legacy);
    const algorithm = legacy ? "md5-dos2unix" : "md5";
    let had = false;
    try {
      const info = await lstat(target);
      had = true;
      if (info.isDirectory()) {
        if (!this.options.force) return this.refuse(label);
        await rm(target, { recursive: true, force: true });
      } else {
        const current = await this.workspace.state.hash(target, algorithm).catch(() => undefined);
        if (current?.md5 === md5 && !this.options.relink) return undefined;
        if (current && !this.options.force && !(await this.workspace.cache.has(current.md5, legacy)))
          return this.refuse(label);
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
    await linkObject(object, target, this.types);
    // Legacy names are not md5s of the bytes, so only DVC 3 placements are remembered.
    if (!legacy) await this.workspace.state.recordKnown(target, { md5, size: (await lstat(object)).size });
    return had ? "modified" : "added";
  }

  private refuse(label: string): undefined {
    this.unsafe.push(label);
    return undefined;
  }

  /** Deletes a workspace file not in the manifest, unless that would lose uncached content. */
  async removeExtra(target: string, label: string, legacy: boolean): Promise<boolean> {
    if (!this.options.force) {
      const current = await this.workspace.state.hash(target, legacy ? "md5-dos2unix" : "md5");
      if (!(await this.workspace.cache.has(current.md5, legacy))) {
        this.unsafe.push(label);
        return false;
      }
    }
    await rm(target, { force: true });
    return true;
  }
}

async function checkoutOut(workspace: Workspace, tracked: TrackedOut, placer: Placer, result: CheckoutResult) {
  const md5 = tracked.out.md5;
  if (md5 === undefined) return;
  const legacy = tracked.out.hash !== "md5";
  if (!(await workspace.cache.has(md5, legacy))) {
    result.missing.push({ path: tracked.relpath, md5 });
    return;
  }
  if (!md5.endsWith(".dir")) {
    await removeLeftoversOf(tracked.absolute);
    const change = await placer.place(tracked.absolute, md5, tracked.relpath, legacy);
    if (tracked.out.isexec && (await exists(tracked.absolute))) await makeExecutable(tracked.absolute);
    if (change) result[change].push(tracked.relpath);
    return;
  }
  const entries = parseManifest(await workspace.cache.readManifest(md5, legacy));
  const absent = [];
  for (const entry of entries) if (!(await workspace.cache.has(entry.md5, legacy))) absent.push(entry);
  if (absent.length > 0) {
    for (const entry of absent) result.missing.push({ path: `${tracked.relpath}/${entry.relpath}`, md5: entry.md5 });
    return;
  }
  let changed: "added" | "modified" | undefined = (await exists(tracked.absolute)) ? undefined : "added";
  // An empty tracked directory has no entries to recreate it.
  if (changed === "added") await mkdir(tracked.absolute, { recursive: true });
  const wanted = new Set(entries.map((entry) => entry.relpath));
  if (changed === undefined && (await lstat(tracked.absolute)).isDirectory()) {
    await workspace.ignore.loadAncestors(tracked.absolute);
    const leftovers: string[] = [];
    const files = await walkFiles(tracked.absolute, workspace.ignore, (leftover) => leftovers.push(leftover));
    for (const leftover of leftovers) await rm(leftover, { force: true });
    for (const file of files)
      if (
        !wanted.has(file.relpath) &&
        (await placer.removeExtra(file.absolute, `${tracked.relpath}/${file.relpath}`, legacy))
      )
        changed = "modified";
  }
  for (const entry of entries) {
    const change = await placer.place(
      join(tracked.absolute, entry.relpath),
      entry.md5,
      `${tracked.relpath}/${entry.relpath}`,
      legacy,
    );
    if (change && changed === undefined) changed = "modified";
  }
  if (changed) result[changed].push(tracked.relpath);
}

/** Checks out every output (or those named by `targets`) from the cache. */
export async function checkoutData(
  workspace: Workspace,
  targets: readonly string[] = [],
  options: CheckoutOptions = {},
  cwd: string = process.cwd(),
): Promise<CheckoutResult> {
  const outs = filterOuts(await collectOuts(workspace), targets, cwd);
  if (targets.length > 0 && outs.length === 0)
    throw new LatheError("RESOURCE_DOES_NOT_EXIST", `No .dvc file tracks ${targets.join(", ")}.`);
  const result: CheckoutResult = { added: [], modified: [], missing: [] };
  const unsafe: string[] = [];
  const placer = new Placer(workspace, options, unsafe);
  for (const tracked of outs) await checkoutOut(workspace, tracked, placer, result);
  if (unsafe.length > 0)
    throw new LatheError(
      "INVALID_STATE",
      `Checkout left ${unsafe.length} path(s) alone because their workspace content is not in the cache and would be lost: ${unsafe.join(", ")}. Run 'lathe add' on them to keep the changes, or 'lathe checkout --force' to discard them.`,
    );
  if (result.missing.length > 0)
    throw new LatheError(
      "RESOURCE_DOES_NOT_EXIST",
      `Checkout could not restore ${result.missing.length} file(s) because the cache lacks them:\n${result.missing
        .map((item) => `  ${item.path} (md5 ${item.md5})`)
        .join("\n")}\nFetch them from a remote ('lathe pull') or re-add the data where it was produced.`,
    );
  return result;
}
