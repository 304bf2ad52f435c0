/**
 * @module data/add
 * `lathe add`: hash a file or directory, store it in the cache, link it back per `[cache] type`,
 * write `<name>.dvc` and add `/<name>` to the `.gitignore` beside it, as `dvc add` does
 * (reference/dvc.md §1.1, §3 "add").
 */
import { execFileSync } from "node:child_process";
import { readFile, stat } from "node:fs/promises";
import { basename, dirname, join, resolve, sep } from "node:path";
import { LatheError } from "../core/errors.js";
import { writeFileAtomic } from "../core/fs.js";
import { makeExecutable } from "./checkout.js";
import { linkTypes } from "./config.js";
import { linkObject } from "./link.js";
import { buildManifest } from "./manifest.js";
import { updatePointerText } from "./pointer.js";
import { FILE_CONCURRENCY, mapLimit } from "./pool.js";
import { walkFiles } from "./walk.js";
import { collectOuts, repoRelative, storeInCache, type TrackedOut, type Workspace } from "./workspace.js";

/** What `add` did for one path. */
export interface AddResult {
  /** Repository-relative path of the data. */
  readonly path: string;
  /** Repository-relative path of the written `.dvc` file. */
  readonly pointer: string;
  readonly md5: string;
  readonly size: number;
  readonly nfiles?: number;
  /** Set for an executable file. */
  readonly isexec?: boolean;
}

function isGitTracked(root: string, absolute: string): boolean {
  try {
    const out = execFileSync("git", ["ls-files", "--", absolute], { cwd: root, stdio: ["ignore", "pipe", "ignore"] });
    return out.toString().trim() !== "";
  } catch {
    return false;
  }
}

/** Appends `/<name>` to the `.gitignore` in the data's folder unless a line already says so. */
async function ignoreInGit(absolute: string): Promise<void> {
  const file = join(dirname(absolute), ".gitignore");
  const entry = `/${basename(absolute)}`;
  let text = "";
  try {
    text = await readFile(file, "utf8");
  } catch {
    // No .gitignore yet.
  }
  if (text.split(/\r?\n/).includes(entry)) return;
  await writeFileAtomic(file, `${text}${text === "" || text.endsWith("\n") ? "" : "\n"}${entry}\n`);
}

function checkAddable(workspace: Workspace, absolute: string, given: string): void {
  const { root } = workspace.repo;
  if (absolute === root || !absolute.startsWith(`${root}${sep}`))
    throw new LatheError(
      "INVALID_PARAMETER_VALUE",
      `Cannot add '${given}': it must be inside ${root}, below its root.`,
    );
  const rel = repoRelative(workspace, absolute);
  if (rel.split("/").some((part) => part === ".dvc" || part === ".git"))
    throw new LatheError("INVALID_PARAMETER_VALUE", `Cannot add '${given}': it is inside .dvc or .git.`);
  if (absolute.endsWith(".dvc"))
    throw new LatheError("INVALID_PARAMETER_VALUE", `Cannot add '${given}': it is a .dvc file itself.`);
  if (isGitTracked(root, absolute))
    throw new LatheError(
      "INVALID_STATE",
      `Cannot add '${given}': git already tracks it. Run 'git rm -r --cached ${rel}' and commit, then 'lathe add' again.`,
    );
}

/** Refuses a path inside, or containing, data another `.dvc` file tracks (re-adding the same path is fine). */
function isStageOutput(tracked: TrackedOut): boolean {
  return basename(tracked.pointerFile) === "dvc.lock";
}

async function checkNoOverlap(workspace: Workspace, absolute: string, given: string): Promise<void> {
  for (const tracked of await collectOuts(workspace)) {
    if (isStageOutput(tracked) && (absolute === tracked.absolute || absolute.startsWith(`${tracked.absolute}${sep}`)))
      throw new LatheError(
        "INVALID_STATE",
        `Cannot add '${given}': ${tracked.relpath} is the output of a pipeline stage (recorded in ${repoRelative(workspace, tracked.pointerFile)}). Change the stage's inputs and run 'lathe repro' to update it.`,
      );
    const inside = absolute.startsWith(`${tracked.absolute}${sep}`);
    if (inside || tracked.absolute.startsWith(`${absolute}${sep}`))
      throw new LatheError(
        "INVALID_STATE",
        `Cannot add '${given}': it overlaps '${tracked.relpath}', already tracked by ${repoRelative(workspace, tracked.pointerFile)}. ${
          inside
            ? `Run 'lathe add ${tracked.relpath}' to record changes inside it.`
            : `Remove ${repoRelative(workspace, tracked.pointerFile)} first to track the whole folder.`
        }`,
      );
  }
}

/** Adds one path (absolute or relative to `cwd`) to the data repository. */
export async function addPath(
  workspace: Workspace,
  given: string,
  cwd: string = process.cwd(),
  onStored?: (bytes: number) => void,
  onPlanned?: (files: number, bytes: number) => void,
): Promise<AddResult> {
  const absolute = resolve(cwd, given);
  checkAddable(workspace, absolute, given);
  await checkNoOverlap(workspace, absolute, given);
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(absolute);
  } catch {
    throw new LatheError("RESOURCE_DOES_NOT_EXIST", `Cannot add '${given}': no such file or directory.`);
  }
  const types = linkTypes(workspace.repo.config);
  // With reflink/copy the workspace bytes are already what the cache holds; other types relink.
  const relink = types[0] === "hardlink" || types[0] === "symlink";
  let record: { md5: string; size: number; nfiles?: number; isexec?: boolean };
  if (info.isDirectory()) {
    await workspace.ignore.loadAncestors(absolute);
    const files = await walkFiles(absolute, workspace.ignore);
    onPlanned?.(
      files.length,
      files.reduce((total, file) => total + file.size, 0),
    );
    const entries = await mapLimit(files, FILE_CONCURRENCY, async (file) => {
      const stored = await storeInCache(workspace, file.absolute);
      onStored?.(stored.size);
      if (relink) await linkObject(workspace.cache.objectPath(stored.md5), file.absolute, types);
      return { relpath: file.relpath, ...stored };
    });
    const manifest = buildManifest(entries);
    await workspace.cache.storeManifest(manifest.md5, manifest.text);
    record = { md5: manifest.md5, size: manifest.size, nfiles: manifest.nfiles };
  } else if (info.isFile()) {
    onPlanned?.(1, info.size);
    record = await storeInCache(workspace, absolute);
    // DVC records the executable bit of a file output so checkout can restore it (reference/dvc.md §1.1).
    if ((info.mode & 0o111) !== 0) record = { ...record, isexec: true };
    onStored?.(record.size);
    if (relink) await linkObject(workspace.cache.objectPath(record.md5), absolute, types);
    if (relink && record.isexec) await makeExecutable(absolute);
  } else throw new LatheError("INVALID_PARAMETER_VALUE", `Cannot add '${given}': not a regular file or directory.`);
  const pointerFile = `${absolute}.dvc`;
  const existing = await readFile(pointerFile, "utf8").catch(() => undefined);
  await writeFileAtomic(pointerFile, updatePointerText(existing, { path: basename(absolute), ...record }, pointerFile));
  if (!/^(true|yes|1)$/i.test(workspace.repo.config.core?.no_scm ?? "")) await ignoreInGit(absolute);
  return { path: repoRelative(workspace, absolute), pointer: repoRelative(workspace, pointerFile), ...record };
}
