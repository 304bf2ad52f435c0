/**
 * Temporary git repositories for the data tests.
 */
import { execFileSync } from "node:child_process";
import { mkdtemp, realpath, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Creates an empty folder (optionally a git repository) and returns its real path. */
export async function makeTempDir(git: boolean): Promise<string> {
  const dir = await realpath(await mkdtemp(join(tmpdir(), "lathe-data-")));
  if (git) execFileSync("git", ["init", "-q", dir]);
  return dir;
}

/** Removes a temp folder, cache objects being read-only included. */
export async function removeTempDir(dir: string): Promise<void> {
  execFileSync("chmod", ["-R", "u+w", dir]);
  await rm(dir, { recursive: true, force: true });
}
