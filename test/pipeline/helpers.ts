/**
 * Temporary data repositories and CLI runs for the pipeline tests.
 */
import { execFile, execFileSync } from "node:child_process";
import { mkdir, mkdtemp, readFile, realpath, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { initDataRepo } from "../../src/data/repo.js";
import type { ReproEvent, ReproOptions, ReproResult } from "../../src/pipeline/repro.js";
import { reproduce } from "../../src/pipeline/repro.js";

const run = promisify(execFile);

/** A temp git repository made a data repository; returns its real path. */
export async function makeRepo(): Promise<string> {
  const dir = await realpath(await mkdtemp(join(tmpdir(), "lathe-pipeline-")));
  execFileSync("git", ["init", "-q", dir]);
  await initDataRepo(dir);
  return dir;
}

/** Removes a temp repository (read-only cache objects included). */
export async function removeRepo(dir: string): Promise<void> {
  execFileSync("chmod", ["-R", "u+w", dir]);
  await rm(dir, { recursive: true, force: true });
}

/** Writes files (relative path → text) under `root`, creating folders. */
export async function writeFiles(root: string, files: Record<string, string>): Promise<void> {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
}

export function read(root: string, path: string): Promise<string> {
  return readFile(join(root, path), "utf8");
}

/** `reproduce` in `root`, collecting events. */
export async function repro(
  root: string,
  options: Omit<ReproOptions, "cwd" | "onEvent"> = {},
): Promise<ReproResult & { events: ReproEvent[] }> {
  const events: ReproEvent[] = [];
  const result = await reproduce({ ...options, cwd: root, onEvent: (event) => events.push(event) });
  return { ...result, events };
}

const MAIN = join(import.meta.dirname, "../../src/cli/main.ts");

/** Runs the CLI from source in `cwd`; never throws on a non-zero exit. */
export async function lathe(cwd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ["--import", import.meta.resolve("tsx"), MAIN, ...args], {
      cwd,
      env: { ...process.env, FORCE_COLOR: "0" },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failure = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failure.code ?? 1, stdout: failure.stdout ?? "", stderr: failure.stderr ?? "" };
  }
}
