/**
 * @module data/walk
 * Lists and hashes workspace paths as DVC does: files in a directory are walked recursively,
 * honouring `.dvcignore`; symlinks to files count as the file they point to, symlinks to folders
 * are not descended (as `os.walk` without `followlinks`); empty folders contribute nothing.
 */
import { createHash } from "node:crypto";
import { lstatSync, readdirSync, statSync } from "node:fs";
import { stat } from "node:fs/promises";
import { join, sep } from "node:path";
import { LatheError } from "../core/errors.js";
import type { HashAlgorithm } from "./hash.js";
import type { IgnoreMatcher } from "./ignore.js";
import { isLinkLeftover } from "./link.js";
import { buildManifest, type DirManifest, parseManifest } from "./manifest.js";
import { FILE_CONCURRENCY, mapLimit } from "./pool.js";
import type { HashState } from "./state.js";

/**
 * A file found under a directory, with the stats hashing reuse needs (the target's, for a symlink).
 * Only these numbers are kept, not the Stats object, and the absolute path is made when asked for:
 * for ten thousand files, every object kept alive is one more the collector copies while the walk
 * goes on.
 */
export class WalkedFile {
  constructor(
    private readonly root: string,
    /** Relative to the walked directory, POSIX form. */
    readonly relpath: string,
    readonly size: number,
    readonly ino: number,
    readonly mtimeMs: number,
  ) {}

  get absolute(): string {
    return sep === "/" ? `${this.root}/${this.relpath}` : join(this.root, ...this.relpath.split("/"));
  }
}

/**
 * Every non-ignored file under `dir` (absolute), relpaths in POSIX form; temporary links a killed
 * checkout left are skipped and passed to `onLeftover`. The walk is synchronous
 * and reads names only, with one lstat per entry that doubles as the file's stat for hash reuse:
 * directory reads are many and tiny, and round trips through the thread pool would dominate.
 */
export async function walkFiles(
  dir: string,
  ignore: IgnoreMatcher,
  onLeftover?: (absolute: string) => void,
): Promise<WalkedFile[]> {
  const files: WalkedFile[] = [];
  function visit(folder: string, prefix: string): void {
    const names = readdirSync(folder);
    if (prefix !== "" && names.includes(".dvcignore"))
      throw new LatheError(
        "INVALID_STATE",
        `${join(folder, ".dvcignore")} is inside a tracked directory, which DVC does not allow. Move its patterns to a .dvcignore above ${dir}.`,
      );
    for (const name of names) {
      // `folder` is already normal, so concatenation gives what join would, without its cost per file.
      const absolute = `${folder}${sep}${name}`;
      const relpath = prefix === "" ? name : `${prefix}/${name}`;
      if (isLinkLeftover(name)) {
        onLeftover?.(absolute);
        continue;
      }
      // Plain (not bigint) stats: ten thousand of them would otherwise keep the collector busy.
      let stats = lstatSync(absolute, { throwIfNoEntry: false });
      if (stats === undefined) continue; // Deleted while walking.
      if (stats.isDirectory()) {
        if (!ignore.isIgnoredEntry(absolute, name, true)) visit(absolute, relpath);
        continue;
      }
      // A link counts as the file it points to; a link to a folder is not followed, a dangling one is skipped.
      if (stats.isSymbolicLink()) stats = statSync(absolute, { throwIfNoEntry: false });
      if (stats?.isFile() && !ignore.isIgnoredEntry(absolute, name, false))
        files.push(new WalkedFile(dir, relpath, stats.size, stats.ino, stats.mtimeMs));
    }
  }
  visit(dir, "");
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
  // Every file's (relpath, inode, mtime, size) in one digest: when it equals the one stored with
  // the directory's last manifest, no file changed and the manifest is reused without a lookup per file.
  // Hashed a piece at a time, so no string of every file's line is built and kept until the end.
  const summary = createHash("md5");
  let piece = "";
  let size = 0;
  for (const file of files) {
    size += file.size;
    piece += `${file.relpath}\0${file.ino}\0${file.mtimeMs}\0${file.size}\n`;
    if (piece.length >= 65_536) {
      summary.update(piece);
      piece = "";
    }
  }
  const key = `${algorithm}:${path}`;
  const digest = summary.update(piece).digest("hex");
  const stored = state.storedManifest(key, digest);
  if (stored !== undefined) {
    // The manifest text is parsed only if a caller looks at its entries (an unchanged directory's
    // status needs its hash alone).
    let manifest: DirManifest | undefined;
    const load = (): DirManifest => {
      if (manifest) return manifest;
      const sizes = new Map(files.map((file) => [file.relpath, file.size]));
      const entries = parseManifest(stored.text).map((entry) => ({ ...entry, size: sizes.get(entry.relpath) ?? 0 }));
      manifest = { text: stored.text, md5: stored.md5, nfiles: entries.length, size, entries };
      return manifest;
    };
    return {
      kind: "dir",
      md5: stored.md5,
      size,
      nfiles: files.length,
      get manifest() {
        return load();
      },
      files,
    };
  }
  state.prefetch(path);
  const entries = await mapLimit(files, FILE_CONCURRENCY, async (file) => ({
    relpath: file.relpath,
    ...(await state.hash(file.absolute, algorithm)),
  }));
  const manifest = buildManifest(entries);
  state.rememberManifest(key, digest, manifest.text, manifest.md5);
  return { kind: "dir", md5: manifest.md5, size: manifest.size, nfiles: manifest.nfiles, manifest, files };
}
