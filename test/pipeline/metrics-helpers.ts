/**
 * Temporary git repositories and the `lathe` command tree in-process, for the params, metrics and
 * plots tests.
 */
import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, realpath, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { runLathe } from "../data/helpers.js";

/** Creates a git repository with a `.dvc/` folder and returns its real path. */
export async function makeRepo(): Promise<string> {
  const dir = await realpath(await mkdtemp(join(tmpdir(), "lathe-metrics-")));
  execFileSync("git", ["init", "-q", dir]);
  await mkdir(join(dir, ".dvc"));
  return dir;
}

export async function removeRepo(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** Writes files (path → text) under `root`, creating folders. */
export async function writeFiles(root: string, files: Record<string, string>): Promise<void> {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
}

/** Stages everything and commits; returns the commit id. */
export function commitAll(root: string, message = "change"): string {
  execFileSync("git", ["add", "-A"], { cwd: root });
  execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "--allow-empty", "-m", message], {
    cwd: root,
  });
  return execFileSync("git", ["rev-parse", "HEAD"], { cwd: root }).toString().trim();
}

/** Runs `lathe …` in-process in `root`, returning what it printed (stdout not a terminal). */
export function lathe(root: string, ...args: string[]): Promise<string> {
  return runLathe(args, { cwd: root, tty: false });
}
