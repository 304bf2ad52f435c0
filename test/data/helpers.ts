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

/** An imported-data `.dvc` file as DVC 3 writes it (top-level stage checksum, `hash: md5`). */
export const IMPORTED_DVC3 = `md5: f6d37c0632c4fde52506565e73cc8e6f
frozen: true
deps:
- path: raw/iris.csv
  repo:
    url: https://example.com/data-registry
    rev_lock: 0123456789abcdef0123456789abcdef01234567
outs:
- md5: b0d6d8d1a3b33b4f3e4a5c6d7e8f9a0b
  size: 3870
  hash: md5
  path: iris.csv
`;

/** The same import in DVC 2 form: no `hash` marker, a `desc`, and its own checksum. */
export const IMPORTED_DVC2 = `md5: ca0fa68a0a3d5845fe4618e1c71d86aa
frozen: true
deps:
- path: raw/iris.csv
  repo:
    url: https://example.com/data-registry
    rev_lock: 0123456789abcdef0123456789abcdef01234567
outs:
- md5: b0d6d8d1a3b33b4f3e4a5c6d7e8f9a0b
  size: 3870
  path: iris.csv
  desc: Imported raw data
`;
