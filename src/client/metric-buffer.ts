/**
 * @module client/metric-buffer
 * Background batching of a run's metric points. Points collect in memory and go out through log-batch
 * in requests of at most 1000 (MLflow's limit) when the buffer fills or a short interval passes. Every
 * request of a run goes through one serial queue, so at most one is in flight and the server receives
 * points in the order they were logged. A failed batch is reported to the owner, not thrown here.
 */
import type { Metric } from "../tracking/entities.js";
import { BATCH_LIMITS } from "./tracking-options.js";

/** Runs jobs one after another, in the order they were queued. */
export class SerialQueue {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(job: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(job);
    this.#tail = result.catch(() => undefined);
    return result;
  }
}

export interface MetricBufferOptions {
  /** Points that trigger a send; default 1000. */
  flushSize?: number;
  /** Longest a point waits before it is sent, in ms; default 500. */
  flushIntervalMs?: number;
}

export class MetricBuffer {
  readonly #points: Metric[] = [];
  readonly #send: (batch: Metric[]) => Promise<void>;
  readonly #queue: SerialQueue;
  readonly #onError: (error: unknown, lost: number) => void;
  readonly #flushSize: number;
  readonly #flushIntervalMs: number;
  #timer: NodeJS.Timeout | undefined;
  /** A drain is queued or running; further triggers wait for it. */
  #draining = false;

  constructor(
    send: (batch: Metric[]) => Promise<void>,
    queue: SerialQueue,
    onError: (error: unknown, lost: number) => void,
    options: MetricBufferOptions = {},
  ) {
    this.#send = send;
    this.#queue = queue;
    this.#onError = onError;
    this.#flushSize = Math.max(1, Math.min(options.flushSize ?? BATCH_LIMITS.metrics, BATCH_LIMITS.metrics));
    this.#flushIntervalMs = options.flushIntervalMs ?? 500;
  }

  /** Points logged but not yet sent. */
  get pending(): number {
    return this.#points.length;
  }

  add(point: Metric): void {
    this.#points.push(point);
    if (this.#points.length >= this.#flushSize) this.#startDrain(false);
    else this.#armTimer();
  }

  /** Sends every point added so far; resolves once they are all sent or reported failed. */
  flush(): Promise<void> {
    this.#clearTimer();
    return this.#queue.run(() => this.#drain(true));
  }

  #armTimer(): void {
    if (this.#timer !== undefined || this.#draining) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#startDrain(true);
    }, this.#flushIntervalMs);
  }

  #clearTimer(): void {
    if (this.#timer === undefined) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #startDrain(all: boolean): void {
    this.#clearTimer();
    if (this.#draining) return;
    this.#draining = true;
    void this.#queue
      .run(() => this.#drain(all))
      .finally(() => {
        this.#draining = false;
        if (this.#points.length >= this.#flushSize) this.#startDrain(false);
        else if (this.#points.length > 0) this.#armTimer();
      });
  }

  /**
   * Sends full batches while the buffer holds one; with `all`, first everything buffered when the drain
   * starts. Points logged meanwhile wait for the size or the timer, so a slow trickle does not turn into a
   * request per point.
   */
  async #drain(all: boolean): Promise<void> {
    let owed = all ? this.#points.length : 0;
    while (this.#points.length > 0 && (owed > 0 || this.#points.length >= this.#flushSize)) {
      const batch = this.#points.splice(0, BATCH_LIMITS.metrics);
      owed -= batch.length;
      try {
        await this.#send(batch);
      } catch (error) {
        this.#onError(error, batch.length);
      }
    }
  }
}
