/**
 * @module data/walk
 * Lists and hashes workspace paths as DVC does: files in a directory are walked recursively,
 * honouring `.dvcignore`; symlinks to files count as the file they point to, symlinks to folders
 * are not descended (as `os.walk` without `followlinks`); empty folders contribute nothing.
 */
import type { Dirent } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { LatheError } from "../core/errors.js";
import type { HashAlgorithm } from "./hash.js";
import type { IgnoreMatcher } from "./ignore.js";
import { buildManifest, type DirManifest } from "./manifest.js";
import { FILE_CONCURRENCY, mapLimit } from "./pool.js";
import type { HashState } from "./state.js";

/** A file found under a directory. */
export interface WalkedFile {
  readonly relpath: string;
  readonly absolute: string;
}

async function isFileEntry(folder: string, entry: Dirent): Promise<boolean> {
  if (entry.isFile()) return true;
  if (!entry.isSymbolicLink()) return false;
  try {
    return (await stat(join(folder, entry.name))).isFile();
  } catch {
    return false; // A dangling link has no content to track.
  }
}

/** Every non-ignored file under `dir` (absolute), relpaths in POSIX form. */
export async function walkFiles(dir: string, ignore: IgnoreMatcher): Promise<WalkedFile[]> {
  const files: WalkedFile[] = [];
  async function visit(folder: string, prefix: string): Promise<void> {
    const entries = await readdir(folder, { withFileTypes: true });
    if (prefix !== "" && entries.some((entry) => entry.name === ".dvcignore"))
      throw new LatheError(
        "INVALID_STATE",
        `${join(folder, ".dvcignore")} is inside a tracked directory, which DVC does not allow. Move its patterns to a .dvcignore above ${dir}.`,
      );
    for (const entry of entries) {
      const absolute = join(folder, entry.name);
      const relpath = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
      if (entry.isDirectory()) {
        if (!ignore.isIgnored(absolute, true)) await visit(absolute, relpath);
      } else if ((await isFileEntry(folder, entry)) && !ignore.isIgnored(absolute, false))
        files.push({ relpath, absolute });
    }
  }
  await visit(dir, "");
  return files;
}

/** The hash of a workspace path: a file's md5, or a directory's manifest. */
export type PathHash =
  | { readonly kind: "file"; readonly md5: string; readonly size: number }
  | {
      readonly kind: "dir";
      readonly md5: string;
      readonly size: number;
      readonly nfiles: number;
      readonly manifest: DirManifest;
      readonly files: readonly WalkedFile[];
    };

/** Hashes a file or directory, reusing stored hashes; undefined when the path does not exist. */
export async function hashPath(
  path: string,
  ignore: IgnoreMatcher,
  state: HashState,
  algorithm: HashAlgorithm = "md5",
): Promise<PathHash | undefined> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch {
    return undefined;
  }
  if (info.isFile()) return { kind: "file", ...(await state.hash(path, algorithm)) };
  if (!info.isDirectory()) return undefined;
  const files = await walkFiles(path, ignore);
  const entries = await mapLimit(files, FILE_CONCURRENCY, async (file) => ({
    relpath: file.relpath,
    ...(await state.hash(file.absolute, algorithm)),
  }));
  const manifest = buildManifest(entries);
  return { kind: "dir", md5: manifest.md5, size: manifest.size, nfiles: manifest.nfiles, manifest, files };
}
