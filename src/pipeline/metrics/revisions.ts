/**
 * @module pipeline/metrics/revisions
 * Where metrics, params and plots are read from: the workspace (files on disk) or a git revision,
 * through the pipeline's {@link FileSource}s. Paths are POSIX and relative to the project root, the
 * folder holding `.dvc/` (else the git top level, else the current folder).
 */
import { execFile } from "node:child_process";
import { stat } from "node:fs/promises";
import { dirname, isAbsolute, join, posix, relative, resolve, sep } from "node:path";
import { promisify } from "node:util";
import { LatheError } from "../../core/errors.js";
import { gitRevisionSource, workspaceSource } from "../source.js";
import type { FileSource } from "../types.js";

const run = promisify(execFile);

/** The name `diff` and `show` use for files on disk. */
export const WORKSPACE = "workspace";

/** A place to read from and the name shown for it. */
export interface Revision {
  /** As the user wrote it (`HEAD`, `main`, `workspace`). */
  readonly name: string;
  readonly source: FileSource;
  /** Ends the git reader, if any. */
  close(): void;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

async function git(cwd: string, args: string[]): Promise<string | undefined> {
  try {
    return (await run("git", args, { cwd, encoding: "utf8" })).stdout;
  } catch {
    return undefined;
  }
}

/** The project root for `start`: nearest folder with `.dvc/`, else the git top level, else `start`. */
export async function findProjectRoot(start: string = process.cwd()): Promise<string> {
  let folder = resolve(start);
  for (;;) {
    if (await exists(join(folder, ".dvc"))) return folder;
    const parent = dirname(folder);
    if (parent === folder) break;
    folder = parent;
  }
  const top = await git(start, ["rev-parse", "--show-toplevel"]);
  return top === undefined ? resolve(start) : top.trim();
}

/**
 * A path given on the command line (relative to `cwd`) as a repository-relative POSIX path; a path
 * outside the project is refused.
 */
export function toRepoPath(root: string, cwd: string, path: string): string {
  const repoPath = relative(root, resolve(cwd, path)).split(sep).join(posix.sep);
  if (repoPath === ".." || repoPath.startsWith("../") || isAbsolute(repoPath))
    throw new LatheError(
      "INVALID_PARAMETER_VALUE",
      `'${path}' is outside the project at ${root}. Give a path inside it (relative to the current folder).`,
    );
  return repoPath;
}

const EMPTY: FileSource = { label: "HEAD", read: async () => undefined, find: async () => [] };

/**
 * Opens `name` (`workspace` or anything `git rev-parse` accepts). An unknown revision is a
 * LatheError naming it and how to list revisions; `HEAD` of a repository without commits reads as
 * empty, so a first `metrics diff` shows everything as new.
 */
export async function openRevision(root: string, name: string): Promise<Revision> {
  if (name === WORKSPACE) return { name, source: workspaceSource(root), close: () => undefined };
  if ((await git(root, ["rev-parse", "--git-dir"])) === undefined)
    throw new LatheError(
      "INVALID_PARAMETER_VALUE",
      `Cannot read revision '${name}': ${root} is not in a git repository, so only the workspace can be read. Run 'git init' and commit to compare revisions.`,
    );
  if ((await git(root, ["rev-parse", "--verify", "--quiet", `${name}^{commit}`])) === undefined) {
    if (name === "HEAD" && (await git(root, ["rev-parse", "--verify", "--quiet", "HEAD"])) === undefined)
      return { name, source: EMPTY, close: () => undefined };
    throw new LatheError(
      "RESOURCE_DOES_NOT_EXIST",
      `Unknown revision '${name}'. List revisions with 'git log --oneline', 'git branch -a' or 'git tag', or use 'workspace' for the files on disk.`,
    );
  }
  const source = await gitRevisionSource(root, name);
  return { name, source, close: () => source.close() };
}

/** Opens every revision in `names`, runs `use`, and closes them whatever happens. */
export async function withRevisions<T>(
  root: string,
  names: readonly string[],
  use: (revisions: Revision[]) => Promise<T>,
): Promise<T> {
  const revisions: Revision[] = [];
  try {
    for (const name of names) revisions.push(await openRevision(root, name));
    return await use(revisions);
  } finally {
    for (const revision of revisions) revision.close();
  }
}
