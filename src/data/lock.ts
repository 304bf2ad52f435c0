/**
 * @module data/lock
 * The repository lock at `.dvc/tmp/lock`, like DVC's (reference/dvc.md §3 "Locking"): one writing
 * command at a time, any number of readers. Unlike DVC, a second command waits (saying so once)
 * instead of failing after 3 s. A lock left by a killed process is detected by its pid and taken over.
 */
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

/** Options of {@link acquireLock}. */
export interface LockOptions {
  /** Told once when the lock is busy (default: a line on stderr). */
  onWait?: (message: string) => void;
  /** Poll interval in milliseconds. */
  pollMs?: number;
  /** Description stored beside the pid, shown to waiting commands. */
  command?: string;
}

/** A held lock; release it in a `finally`. */
export interface RepoLock {
  release(): Promise<void>;
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The live holder recorded in a lock file, or undefined when absent or stale. */
async function liveHolder(file: string): Promise<{ pid: number; command: string } | undefined> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    return undefined;
  }
  let pid = Number.NaN;
  let command = "unknown command";
  try {
    const parsed = JSON.parse(text) as { pid?: unknown; cmd?: unknown };
    pid = Number(parsed.pid);
    if (typeof parsed.cmd === "string") command = parsed.cmd;
  } catch {
    pid = Number(text.trim()); // zc.lockfile (DVC) writes the bare pid.
  }
  return Number.isInteger(pid) && pid > 0 && isAlive(pid) ? { pid, command } : undefined;
}

async function liveReaders(dir: string): Promise<number> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return 0;
  }
  let count = 0;
  for (const name of names) {
    const pid = Number(name.split("-")[0]);
    if (Number.isInteger(pid) && isAlive(pid)) count++;
    else await rm(join(dir, name), { force: true });
  }
  return count;
}

/**
 * Takes the repository lock in `tmpDir`: `"write"` is exclusive, `"read"` only waits for a writer.
 * Waits as long as needed, telling `onWait` once.
 */
export async function acquireLock(
  tmpDir: string,
  mode: "read" | "write",
  options: LockOptions = {},
): Promise<RepoLock> {
  const lockFile = join(tmpDir, "lock");
  const readersDir = join(tmpDir, "lock.readers");
  const pollMs = options.pollMs ?? 100;
  const onWait = options.onWait ?? ((message: string) => process.stderr.write(`${message}\n`));
  const body = JSON.stringify({ pid: process.pid, cmd: options.command ?? process.argv.slice(1).join(" ") });
  await mkdir(readersDir, { recursive: true });
  let told = false;
  const wait = async (holder: string) => {
    if (!told) onWait(`Waiting for ${holder} to release ${lockFile} …`);
    told = true;
    await sleep(pollMs);
  };

  if (mode === "write") {
    for (;;) {
      try {
        await writeFile(lockFile, body, { flag: "wx" });
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      }
      const holder = await liveHolder(lockFile);
      if (holder === undefined) await rm(lockFile, { force: true });
      else await wait(`another lathe process (pid ${holder.pid}: ${holder.command})`);
    }
    while ((await liveReaders(readersDir)) > 0) await wait("commands reading this repository");
    return { release: () => rm(lockFile, { force: true }) };
  }

  const mine = join(readersDir, `${process.pid}-${Math.random().toString(36).slice(2)}`);
  for (;;) {
    const holder = await liveHolder(lockFile);
    if (holder !== undefined) {
      await wait(`a writing lathe process (pid ${holder.pid}: ${holder.command})`);
      continue;
    }
    await writeFile(mine, body);
    // A writer may have taken the lock between the check and the registration; it waits for
    // readers, so step back and let it finish rather than read a half-written workspace.
    if ((await liveHolder(lockFile)) === undefined) return { release: () => rm(mine, { force: true }) };
    await rm(mine, { force: true });
  }
}

/** Runs `action` under the repository lock. */
export async function withLock<T>(
  tmpDir: string,
  mode: "read" | "write",
  action: () => Promise<T>,
  options?: LockOptions,
): Promise<T> {
  const lock = await acquireLock(tmpDir, mode, options);
  try {
    return await action();
  } finally {
    await lock.release();
  }
}
