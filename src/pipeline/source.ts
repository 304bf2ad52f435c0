/**
 * @module pipeline/source
 * Where pipeline files are read from: the workspace on disk, or a git revision (`git cat-file
 * --batch`, one process for all reads), both behind {@link FileSource}.
 */
import { type ChildProcessWithoutNullStreams, execFile, spawn } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { LatheError } from "../core/errors.js";
import { IgnoreMatcher } from "../data/ignore.js";
import type { FileSource } from "./types.js";

const run = promisify(execFile);

// `.git`, `.dvc` and `.hg` are never part of a pipeline; `node_modules` holds no dvc.yaml a
// project would mean, and walking it would dominate every command in a JavaScript project.
const SKIPPED_FOLDERS = new Set([".git", ".dvc", ".hg", "node_modules"]);

/** Reads files from the workspace rooted at `root` (absolute). */
export function workspaceSource(root: string): FileSource {
  return {
    label: "workspace",
    async read(relpath) {
      try {
        return await readFile(join(root, ...relpath.split("/")), "utf8");
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === "ENOENT" || code === "ENOTDIR" || code === "EISDIR") return undefined;
        throw error;
      }
    },
    async find(name) {
      const ignore = new IgnoreMatcher(root);
      const found: string[] = [];
      async function visit(folder: string, prefix: string): Promise<void> {
        await ignore.loadFolder(folder);
        const entries = await readdir(folder, { withFileTypes: true });
        const names = new Set(entries.map((entry) => entry.name));
        for (const entry of entries) {
          const absolute = join(folder, entry.name);
          const relpath = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
          if (entry.isDirectory()) {
            // Data tracked by a sibling `<name>.dvc` holds no pipeline files; skipping it keeps large datasets cheap.
            const tracked = names.has(`${entry.name}.dvc`);
            if (!tracked && !SKIPPED_FOLDERS.has(entry.name) && !ignore.isIgnored(absolute, true))
              await visit(absolute, relpath);
          } else if (entry.name === name && !ignore.isIgnored(absolute, false)) found.push(relpath);
        }
      }
      await visit(root, "");
      return found.sort();
    },
  };
}

/** A git revision's files, read through one `git cat-file --batch` process. Call `close()` when done. */
export interface GitSource extends FileSource {
  close(): void;
}

/**
 * Reads files as they are at `rev` in the git repository holding `root` (absolute; the data
 * repository root, which may be a sub-folder of the git work tree).
 */
export async function gitRevisionSource(root: string, rev: string): Promise<GitSource> {
  let prefix: string;
  try {
    prefix = (await run("git", ["rev-parse", "--show-prefix"], { cwd: root })).stdout.trim();
    await run("git", ["rev-parse", "--verify", "--quiet", `${rev}^{commit}`], { cwd: root });
  } catch {
    throw new LatheError(
      "RESOURCE_DOES_NOT_EXIST",
      `'${rev}' is not a commit of the git repository at ${root}. Check the name with 'git log --oneline'.`,
    );
  }
  let batch: ChildProcessWithoutNullStreams | undefined;
  let buffered = Buffer.alloc(0);
  let ended = false;
  const waiting: Array<() => void> = [];
  const ensure = () => {
    if (batch) return batch;
    const child = spawn("git", ["cat-file", "--batch"], { cwd: root });
    batch = child;
    batch.stdout.on("data", (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      for (const wake of waiting.splice(0)) wake();
    });
    // git exits on input it cannot answer; readers waiting for more bytes must hear of it.
    const stop = () => {
      if (batch !== child) return; // A process closed on purpose; a newer one may be running.
      ended = true;
      for (const wake of waiting.splice(0)) wake();
    };
    batch.on("error", stop);
    batch.on("close", stop);
    return batch;
  };
  // Reads are serialised: cat-file answers in request order.
  let queue: Promise<unknown> = Promise.resolve();
  const stopped = () =>
    new LatheError("IO_ERROR", `git cat-file stopped while reading files of revision '${rev}' in ${root}.`);
  const take = async (length: number): Promise<Buffer> => {
    while (buffered.length < length) {
      if (ended) throw stopped();
      await new Promise<void>((wake) => waiting.push(wake));
    }
    const head = buffered.subarray(0, length);
    buffered = buffered.subarray(length);
    return head;
  };
  const line = async (): Promise<string> => {
    for (;;) {
      const end = buffered.indexOf(10);
      if (end >= 0) return (await take(end + 1)).toString("utf8").trimEnd();
      if (ended) throw stopped();
      await new Promise<void>((wake) => waiting.push(wake));
    }
  };
  const readOne = async (relpath: string): Promise<string | undefined> => {
    if (relpath.startsWith("/") || relpath.split("/").includes(".."))
      throw new LatheError(
        "INVALID_PARAMETER_VALUE",
        `'${relpath}' is outside the repository; paths in dvc.yaml and on the command line must stay inside it.`,
      );
    if (ended) batch = undefined;
    if (!batch) {
      ended = false;
      buffered = Buffer.alloc(0);
    }
    const process = ensure();
    process.stdin.write(`${rev}:${prefix}${relpath}\n`);
    const header = await line();
    if (header.endsWith(" missing") || header.endsWith(" ambiguous")) return undefined;
    const [, type, size] = header.split(" ");
    const body = await take(Number(size) + 1);
    return type === "blob" ? body.subarray(0, -1).toString("utf8") : undefined;
  };
  return {
    label: rev,
    read(relpath) {
      const result = queue.then(() => readOne(relpath));
      queue = result.catch(() => undefined);
      return result;
    },
    async find(name) {
      const { stdout } = await run("git", ["ls-tree", "-r", "--name-only", "-z", rev, "--", "."], {
        cwd: root,
        maxBuffer: 256 * 1024 * 1024,
      });
      return stdout
        .split("\0")
        .filter((path) => path === name || path.endsWith(`/${name}`))
        .filter((path) => !path.split("/").some((part) => SKIPPED_FOLDERS.has(part)))
        .sort();
    },
    close() {
      batch?.stdin.end();
      batch = undefined;
    },
  };
}
