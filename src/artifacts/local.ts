/**
 * @module artifacts/local
 * Artifact repository on the local file system. A path is accepted only if it passes `validateArtifactPath`,
 * resolves lexically inside the root, and its nearest existing ancestor's real location (symlinks followed) is
 * still inside the root's real location. Writes go through `writeStreamAtomic`.
 */
import type { Dirent } from "node:fs";
import { lstat, open, readdir, realpath, rm, stat } from "node:fs/promises";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import type { Readable } from "node:stream";
import { pathToFileURL } from "node:url";
import type { LatheError } from "../core/errors.js";
import { invalidParameter, notFound } from "../core/errors.js";
import { writeStreamAtomic } from "../core/fs.js";
import { validateArtifactPath } from "./path-safety.js";
import type { ArtifactFileInfo, ArtifactRepository } from "./repository.js";

/** Temporary siblings written by `writeStreamAtomic`; an upload in progress is not an artifact yet. */
const TEMP_FILE = /^\..+\.[0-9a-f]{12}\.tmp$/;

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

function isMissing(error: unknown): boolean {
  const code = errorCode(error);
  return code === "ENOENT" || code === "ENOTDIR";
}

/** True when `target` is `root` or below it (`..foo` is a child name, not a parent reference). */
function isInside(root: string, target: string): boolean {
  const rel = relative(root, target);
  return rel === "" || (rel !== ".." && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/** Code-point order, the order MLflow's local store lists in. */
function byName(a: ArtifactFileInfo, b: ArtifactFileInfo): number {
  return Buffer.compare(Buffer.from(a.path), Buffer.from(b.path));
}

function escapes(): LatheError {
  return invalidParameter("Invalid path: a symbolic link leads outside the artifact root");
}

/** Artifacts stored in a folder on this machine. */
export class LocalArtifactRepository implements ArtifactRepository {
  readonly rootUri: string;
  readonly #root: string;

  /**
   * @param rootDir folder holding the artifacts; created on the first write.
   * @param rootUri URI reported as `root_uri`; defaults to the `file://` URI of `rootDir`.
   */
  constructor(rootDir: string, rootUri?: string) {
    this.#root = resolve(rootDir);
    this.rootUri = rootUri ?? pathToFileURL(this.#root).href;
  }

  async put(path: string, body: Readable): Promise<number> {
    const { rel, abs } = await this.#resolve(path);
    if (rel === "") throw invalidParameter("Invalid path: cannot write a file over the artifact root");
    try {
      return await writeStreamAtomic(abs, body);
    } catch (error) {
      const code = errorCode(error);
      if (code === "EISDIR" || code === "ENOTDIR" || code === "EEXIST") {
        throw invalidParameter(`Cannot write artifact '${rel}': a file or folder of that name is in the way`);
      }
      throw error;
    }
  }

  async get(path: string): Promise<{ stream: Readable; size: number }> {
    const { rel, abs } = await this.#resolve(path);
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      handle = await open(abs, "r");
    } catch (error) {
      if (isMissing(error) || errorCode(error) === "EISDIR") throw notFound(`Artifact '${rel}' not found`);
      throw error;
    }
    // Size and stream come from the same open handle, so a concurrent replace cannot make them disagree.
    try {
      const info = await handle.stat();
      if (!info.isFile()) throw notFound(`Artifact '${rel}' not found`);
      return { stream: handle.createReadStream(), size: info.size };
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  async list(path = ""): Promise<ArtifactFileInfo[]> {
    const { rel, abs } = await this.#resolve(path);
    let entries: Dirent[];
    try {
      entries = await readdir(abs, { withFileTypes: true });
    } catch (error) {
      if (isMissing(error)) return [];
      throw error;
    }
    const infos = await Promise.all(
      entries.filter((entry) => !TEMP_FILE.test(entry.name)).map((entry) => this.#describe(abs, rel, entry)),
    );
    return infos.filter((info): info is ArtifactFileInfo => info !== undefined).sort(byName);
  }

  async delete(path: string): Promise<void> {
    const { rel, abs } = await this.#resolve(path);
    // An empty path would wipe the whole store (for the proxy: every experiment's artifacts).
    if (rel === "") throw invalidParameter("Invalid path: refusing to delete the artifact root");
    try {
      await lstat(abs);
    } catch (error) {
      if (isMissing(error)) throw notFound(`Artifact '${rel}' not found`);
      throw error;
    }
    // rm unlinks symlinks met inside the folder rather than following them.
    await rm(abs, { recursive: true });
  }

  /** Validates `path` and maps it into the root, refusing anything that leaves it lexically or via symlinks. */
  async #resolve(path: string): Promise<{ rel: string; abs: string }> {
    const rel = validateArtifactPath(path);
    const abs = resolve(this.#root, rel);
    if (!isInside(this.#root, abs)) throw invalidParameter("Invalid path: resolves outside the artifact root");
    await this.#checkRealLocation(abs);
    return { rel, abs };
  }

  /**
   * A link planted inside the root (or a folder swapped for one) must not carry reads, writes or deletes out
   * of it, the file-write shape of CVE-2023-6015 / CVE-2023-6975. Only existing components can be links, so
   * checking the nearest existing ancestor (the target itself when present) covers the whole path.
   */
  async #checkRealLocation(abs: string): Promise<void> {
    for (let current = abs; current !== this.#root && isInside(this.#root, current); current = dirname(current)) {
      let real: string;
      try {
        real = await realpath(current);
      } catch (error) {
        if (!isMissing(error)) throw error;
        // A dangling link's target is unknown, so refuse it. Anything else found now was created by a concurrent
        // upload after realpath ran (a folder, not a link): its parent is checked next.
        if (await this.#isLink(current)) throw escapes();
        continue;
      }
      if (!isInside(await realpath(this.#root), real)) throw escapes();
      return;
    }
  }

  async #isLink(abs: string): Promise<boolean> {
    try {
      return (await lstat(abs)).isSymbolicLink();
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
  }

  /** Describes one directory entry; links that leave the root are left out rather than revealing their target. */
  async #describe(dir: string, rel: string, entry: Dirent): Promise<ArtifactFileInfo | undefined> {
    const full = join(dir, entry.name);
    const path = rel === "" ? entry.name : `${rel}/${entry.name}`;
    try {
      if (entry.isSymbolicLink() && !isInside(await realpath(this.#root), await realpath(full))) return undefined;
      const info = await stat(full);
      if (info.isDirectory()) return { path, is_dir: true };
      if (info.isFile()) return { path, is_dir: false, file_size: info.size };
      return undefined;
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }
}
