/**
 * @module pipeline/lock-gate
 * Holds the repository lock only while pipeline bookkeeping runs (hashing, committing, writing
 * `dvc.lock`) and lets it go while stage commands run, as DVC does (reference/dvc.md §3 "repro"),
 * so a command that itself calls `lathe` is not blocked by the repro that started it. Overlapping
 * sections of concurrent stages share one acquisition; release waits one tick so back-to-back
 * sections do not re-take the lock.
 */
import { acquireLock, type LockOptions, type RepoLock } from "../data/lock.js";

/** A shared, reference-counted hold on the repository write lock. */
export class LockGate {
  private holders = 0;
  private lock: RepoLock | undefined;
  private acquiring: Promise<void> | undefined;
  private releaseTimer: NodeJS.Immediate | undefined;
  private releasing: Promise<void> | undefined;

  constructor(
    private readonly tmpDir: string,
    private readonly options: LockOptions = {},
  ) {}

  /** Runs `action` with the lock held. */
  async run<T>(action: () => Promise<T>): Promise<T> {
    await this.enter();
    try {
      return await action();
    } finally {
      this.leave();
    }
  }

  private async enter(): Promise<void> {
    this.holders++;
    if (this.releaseTimer) {
      clearImmediate(this.releaseTimer);
      this.releaseTimer = undefined;
    }
    if (this.lock) return;
    if (this.releasing) await this.releasing;
    if (this.lock) return;
    this.acquiring ??= acquireLock(this.tmpDir, "write", this.options).then(
      (lock) => {
        this.lock = lock;
        this.acquiring = undefined;
      },
      (error: unknown) => {
        this.acquiring = undefined;
        throw error;
      },
    );
    try {
      await this.acquiring;
    } catch (error) {
      this.holders--;
      throw error;
    }
  }

  private leave(): void {
    this.holders--;
    if (this.holders > 0 || this.releaseTimer) return;
    this.releaseTimer = setImmediate(() => {
      this.releaseTimer = undefined;
      if (this.holders === 0) void this.releaseNow();
    });
  }

  private async releaseNow(): Promise<void> {
    const lock = this.lock;
    this.lock = undefined;
    if (!lock) return;
    this.releasing = lock.release().finally(() => {
      this.releasing = undefined;
    });
    await this.releasing;
  }

  /** Releases the lock at once (end of the command). */
  async close(): Promise<void> {
    if (this.releaseTimer) clearImmediate(this.releaseTimer);
    this.releaseTimer = undefined;
    await this.acquiring?.catch(() => undefined);
    await this.releaseNow();
    await this.releasing;
  }
}
