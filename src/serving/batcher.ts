/**
 * @module serving/batcher
 * Micro-batching: requests that arrive within a short window (default 1 ms) are joined into one
 * runtime call of at most `maxBatchRows` rows, and the outputs are split back by row. This is Ray
 * Serve's rule (wait for the window or a full batch, reference/serving_style.md §2.2). The window is
 * short because each request waits it out: 1 ms is the shortest timer Node keeps, and 64 clients
 * sending one row at a time got about a sixth more answers a second than with 2 ms. Every request was
 * validated before it got here; if a joined call still fails, each request is retried alone so one
 * request's trouble never fails another's.
 */
import type { FeedData } from "../models/onnx/feeds.js";
import { concatFeeds } from "./schema.js";

/** Runs the model on one feed; outputs are plain arrays whose first axis is the row. */
export type RunFeed = (feed: FeedData) => Promise<Record<string, unknown>>;

export interface BatcherOptions {
  /** How long the first request of a batch waits for company, in ms; 0 runs every request at once. */
  windowMs: number;
  /** Most rows in one runtime call. */
  maxBatchRows: number;
  /** Called once per runtime call with its row and request counts (for metrics). */
  onBatch?: (rows: number, requests: number) => void;
}

interface Pending {
  readonly feed: FeedData;
  readonly rows: number;
  readonly resolve: (outputs: Record<string, unknown>) => void;
  readonly reject: (error: unknown) => void;
}

export class Batcher {
  readonly #run: RunFeed;
  readonly #options: BatcherOptions;
  #queue: Pending[] = [];
  #queuedRows = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(run: RunFeed, options: BatcherOptions) {
    this.#run = run;
    this.#options = options;
  }

  /** Predicts on one request's feed, possibly together with others; resolves with this request's rows. */
  submit(feed: FeedData): Promise<Record<string, unknown>> {
    const rows = feed.dims[0] ?? 0;
    if (this.#options.windowMs <= 0 || rows >= this.#options.maxBatchRows) {
      this.#options.onBatch?.(rows, 1);
      return this.#run(feed);
    }
    return new Promise((resolve, reject) => {
      this.#queue.push({ feed, rows, resolve, reject });
      this.#queuedRows += rows;
      if (this.#queuedRows >= this.#options.maxBatchRows) this.#flush(true);
      else this.#timer ??= setTimeout(() => this.#flush(), this.#options.windowMs);
    });
  }

  /** Dispatches queued requests; when the window has not ended (`full`), a last partial batch keeps waiting. */
  #flush(full = false): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    while (this.#queue.length > 0) {
      let count = 0;
      let rows = 0;
      for (const pending of this.#queue) {
        if (count > 0 && rows + pending.rows > this.#options.maxBatchRows) break;
        count++;
        rows += pending.rows;
      }
      const partial = count === this.#queue.length && rows < this.#options.maxBatchRows;
      if (full && partial) {
        this.#timer = setTimeout(() => this.#flush(), this.#options.windowMs);
        return;
      }
      const batch = this.#queue.splice(0, count);
      this.#queuedRows -= rows;
      void this.#runBatch(batch, rows);
    }
  }

  async #runBatch(batch: readonly Pending[], rows: number): Promise<void> {
    if (batch.length === 1) {
      const only = batch[0] as Pending;
      this.#options.onBatch?.(rows, 1);
      await this.#run(only.feed).then(only.resolve, only.reject);
      return;
    }
    let outputs: Record<string, unknown> | undefined;
    try {
      this.#options.onBatch?.(rows, batch.length);
      outputs = await this.#run(concatFeeds(batch.map((pending) => pending.feed)));
    } catch {
      outputs = undefined;
    }
    const parts = outputs === undefined ? undefined : splitOutputs(outputs, batch, rows);
    if (parts === undefined) {
      // Retry each request alone: only a request whose own rows fail gets an error.
      await Promise.all(batch.map((pending) => this.#run(pending.feed).then(pending.resolve, pending.reject)));
      return;
    }
    batch.forEach((pending, index) => {
      pending.resolve(parts[index] as Record<string, unknown>);
    });
  }
}

/** Slices every output by row; undefined when an output is not one entry per row. */
function splitOutputs(
  outputs: Record<string, unknown>,
  batch: readonly Pending[],
  rows: number,
): Record<string, unknown>[] | undefined {
  for (const value of Object.values(outputs)) {
    if (!Array.isArray(value) || value.length !== rows) return undefined;
  }
  const parts: Record<string, unknown>[] = batch.map(() => ({}));
  for (const [name, value] of Object.entries(outputs)) {
    let start = 0;
    batch.forEach((pending, index) => {
      (parts[index] as Record<string, unknown>)[name] = (value as unknown[]).slice(start, start + pending.rows);
      start += pending.rows;
    });
  }
  return parts;
}
