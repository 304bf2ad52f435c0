/**
 * Temporary git repositories for the data tests.
 */
import { execFileSync } from "node:child_process";
import { mkdtemp, realpath, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, vi } from "vitest";
import { buildProgram } from "../../src/cli/program.js";

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

/** Creates temp folders for one test file and removes them after each test. */
export function useTempDirs(): (git: boolean) => Promise<string> {
  const dirs: string[] = [];
  afterEach(async () => {
    for (const dir of dirs.splice(0)) await removeTempDir(dir);
  });
  return async (git) => {
    const dir = await makeTempDir(git);
    dirs.push(dir);
    return dir;
  };
}

/** Options of {@link runLathe}. */
export interface RunLatheOptions {
  /** Folder to run in (the process's is restored afterwards). */
  cwd?: string;
  /** Whether stdout claims to be a terminal, so commands print text rather than JSON (default true). */
  tty?: boolean;
}

/** Runs `lathe args…` in-process and returns what it printed on stdout. */
export async function runLathe(args: readonly string[], options: RunLatheOptions = {}): Promise<string> {
  const previous = { cwd: process.cwd(), tty: process.stdout.isTTY };
  let output = "";
  const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    output += String(chunk);
    return true;
  });
  try {
    if (options.cwd) process.chdir(options.cwd);
    process.stdout.isTTY = options.tty ?? true;
    await buildProgram()
      .exitOverride()
      .parseAsync(["node", "lathe", ...args]);
  } finally {
    spy.mockRestore();
    process.stdout.isTTY = previous.tty;
    process.chdir(previous.cwd);
  }
  return output;
}
