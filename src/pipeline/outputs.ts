/**
 * @module pipeline/outputs
 * A stage's outputs on disk: removed before the command runs (unless `persist`), committed to the
 * object cache afterwards (read-only objects, linked back per `[cache] type`), checked out from
 * the cache when the run-cache has them, and listed in `.gitignore` as `dvc repro` does.
 */
import { lstat, mkdir, readFile, rm, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { writeFileAtomic } from "../core/fs.js";
import { linkTypes } from "../data/config.js";
import { linkObject } from "../data/link.js";
import { buildManifest, parseManifest } from "../data/manifest.js";
import { FILE_CONCURRENCY, mapLimit } from "../data/pool.js";
import { walkFiles } from "../data/walk.js";
import { storeInCache } from "../data/workspace.js";
import type { StageOutput } from "./graph.js";
import type { Project } from "./project.js";
import type { LockedPath } from "./types.js";

/** Absolute path of a repository-relative path. */
export function absoluteOf(project: Project, relpath: string): string {
  return join(project.root, ...relpath.split("/"));
}

/** Deletes an output before its stage runs; persistent outputs are kept but unlinked from the cache. */
export async function prepareOutput(project: Project, output: StageOutput): Promise<void> {
  const absolute = absoluteOf(project, output.path);
  if (!output.def.persist) {
    await rm(absolute, { recursive: true, force: true });
    return;
  }
  // A persistent output linked to a read-only cache object becomes a private copy the command can edit.
  let info: Awaited<ReturnType<typeof lstat>>;
  try {
    info = await lstat(absolute);
  } catch {
    return;
  }
  if (info.isSymbolicLink() || (info.isFile() && info.nlink > 1)) {
    const bytes = await readFile(absolute);
    await rm(absolute, { force: true });
    await writeFileAtomic(absolute, bytes);
  }
}

/**
 * Stores an output's files in the cache and returns its lock entry (`path` as written). With
 * `link`, files are re-linked from the cache when `[cache] type` shares bytes (hardlink/symlink).
 * Undefined when the output does not exist.
 */
export async function commitOutput(
  project: Project,
  output: StageOutput,
  link = true,
): Promise<LockedPath | undefined> {
  const absolute = absoluteOf(project, output.path);
  const { workspace } = project;
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(absolute);
  } catch {
    return undefined;
  }
  const types = linkTypes(workspace.repo.config);
  const relink = link && (types[0] === "hardlink" || types[0] === "symlink");
  const path = output.def.path ?? "";
  if (info.isDirectory()) {
    await workspace.ignore.loadAncestors(absolute);
    const files = await walkFiles(absolute, workspace.ignore);
    const entries = await mapLimit(files, FILE_CONCURRENCY, async (file) => {
      const stored = await storeInCache(project.workspace, file.absolute);
      if (relink) await linkObject(workspace.cache.objectPath(stored.md5), file.absolute, types);
      return { relpath: file.relpath, ...stored };
    });
    const manifest = buildManifest(entries);
    await workspace.cache.storeManifest(manifest.md5, manifest.text);
    return { path, hash: "md5", md5: manifest.md5, size: manifest.size, nfiles: manifest.nfiles };
  }
  const stored = await storeInCache(project.workspace, absolute);
  if (relink) await linkObject(workspace.cache.objectPath(stored.md5), absolute, types);
  return { path, hash: "md5", md5: stored.md5, size: stored.size };
}

/** Places a recorded output from the cache (replacing what is there). */
export async function checkoutOutput(project: Project, output: StageOutput, entry: LockedPath): Promise<void> {
  const { workspace } = project;
  const absolute = absoluteOf(project, output.path);
  const legacy = entry.hash !== "md5";
  const types = linkTypes(workspace.repo.config);
  const md5 = entry.md5!;
  await rm(absolute, { recursive: true, force: true });
  if (!md5.endsWith(".dir")) {
    await linkObject(workspace.cache.objectPath(md5, legacy), absolute, types);
    if (!legacy) await workspace.state.recordKnown(absolute, { md5, size: entry.size ?? 0 });
    return;
  }
  await mkdir(absolute, { recursive: true });
  const files = parseManifest(await workspace.cache.readManifest(md5, legacy));
  await mapLimit(files, FILE_CONCURRENCY, async (file) => {
    const target = join(absolute, ...file.relpath.split("/"));
    const object = workspace.cache.objectPath(file.md5, legacy);
    await linkObject(object, target, types);
    if (!legacy) await workspace.state.recordKnown(target, { md5: file.md5, size: (await stat(object)).size });
  });
}

/** Adds `/<name>` to the `.gitignore` beside a cached output, unless already listed. */
export async function ignoreOutputInGit(project: Project, output: StageOutput): Promise<void> {
  if (/^(true|yes|1)$/i.test(project.workspace.repo.config.core?.no_scm ?? "")) return;
  const absolute = absoluteOf(project, output.path);
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
