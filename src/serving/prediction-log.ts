/**
 * @module serving/prediction-log
 * The prediction log: one JSON line per request (inputs, outputs, model name and version, latency,
 * request id) in local files the monitoring side scans later. The same writer keeps the feedback log
 * (`feedback-*.jsonl`, ground-truth labels sent to `POST /feedback`) beside it. A prediction never waits for it:
 * `append` only turns the record into its JSON line and copies its bytes into a bounded in-memory
 * buffer that a timer writes out (serializing as records come spreads the cost: a flush that serialized
 * 200 ms of records at once held every request behind it for milliseconds); when the buffer is
 * full (or the disk fails) records are dropped and counted instead. Files rotate by size and at
 * every UTC hour; their names start with the UTC time they were opened, so they sort by time.
 */
import { mkdirSync } from "node:fs";
import { type FileHandle, open } from "node:fs/promises";
import { join } from "node:path";

/** What every line of the log says about its request. */
interface RequestLine {
  readonly request_id: string;
  /** When the request arrived, ISO 8601 UTC. */
  readonly timestamp: string;
  readonly model: string;
  readonly version: string | null;
  /** `mlflow` (/invocations) or `v2` (Open Inference Protocol). */
  readonly protocol: string;
  readonly latency_ms: number;
}

/** One line of the log: an answered prediction. */
export interface PredictionRecord extends RequestLine {
  readonly inputs: unknown;
  readonly outputs: unknown;
}

/** One line for a prediction request that failed (bad input, no model, an internal error): no inputs or outputs. */
export interface FailedPredictionRecord extends RequestLine {
  /** The HTTP status answered, 400 and up. */
  readonly status: number;
}

/** One line of the feedback log: the true label of an earlier prediction. */
export interface FeedbackRecord {
  readonly request_id: string;
  /** When the label arrived, ISO 8601 UTC. */
  readonly timestamp: string;
  /** One label, or one per row of a multi-row request. */
  readonly label: unknown;
}

export interface PredictionLogOptions {
  /** Folder of the log files; created if missing. */
  readonly dir: string;
  /** Start of every file name (default `predictions`). */
  readonly prefix?: string;
  /** A file is closed and a new one started past this size (default 64 MiB). */
  readonly maxFileBytes?: number;
  /** Records held in memory before new ones are dropped (default 10,000). */
  readonly maxBufferedRecords?: number;
  /** How often the buffer is written out, in ms (default 200). */
  readonly flushIntervalMs?: number;
  /** Called with the number of records dropped. */
  readonly onDrop?: (count: number) => void;
  /** Called with the number of records written. */
  readonly onWrite?: (count: number) => void;
  /** Clock, for tests. */
  readonly now?: () => Date;
}

interface OpenFile {
  readonly handle: FileHandle;
  readonly path: string;
  readonly hour: string;
  bytes: number;
}

/** `2026-11-23T12-00-00-123Z`: an ISO time with characters every file system accepts; sorts as time. */
function fileStamp(date: Date): string {
  return date.toISOString().replace(/[:.]/g, "-");
}

/** Buffered lines handed to a write: their bytes, and where each line ends in them. */
interface TakenLines {
  readonly bytes: Buffer;
  readonly ends: readonly number[];
}

/**
 * Lines kept as UTF-8 bytes in large off-heap blocks, with each line's end offset: a line's string
 * is garbage as soon as it is copied in, so the garbage collector never moves thousands of
 * buffered strings about while they wait for the next write.
 */
class LineBuffer {
  static readonly BLOCK = 256 * 1024;
  #blocks: Buffer[] = [];
  #block = Buffer.allocUnsafe(0);
  #used = 0;
  #total = 0;
  #ends: number[] = [];

  get lines(): number {
    return this.#ends.length;
  }

  add(line: string): void {
    // UTF-8 takes at most three bytes per UTF-16 code unit.
    if (this.#block.length - this.#used < line.length * 3) {
      if (this.#used > 0) this.#blocks.push(this.#block.subarray(0, this.#used));
      this.#block = Buffer.allocUnsafe(Math.max(LineBuffer.BLOCK, line.length * 3));
      this.#used = 0;
    }
    const written = this.#block.write(line, this.#used, "utf8");
    this.#used += written;
    this.#total += written;
    this.#ends.push(this.#total);
  }

  /** Everything buffered, as one Buffer; the buffer starts over empty. */
  take(): TakenLines {
    if (this.#used > 0) this.#blocks.push(this.#block.subarray(0, this.#used));
    const taken = { bytes: Buffer.concat(this.#blocks, this.#total), ends: this.#ends };
    this.#blocks = [];
    this.#block = Buffer.allocUnsafe(0);
    this.#used = 0;
    this.#total = 0;
    this.#ends = [];
    return taken;
  }
}

/** A bounded, non-blocking, rotated JSON-lines writer; `PredictionLog` and the feedback log are two of them. */
export class JsonLinesLog<T extends object> {
  readonly dir: string;
  readonly #maxFileBytes: number;
  readonly #maxBuffered: number;
  readonly #options: PredictionLogOptions;
  readonly #now: () => Date;
  /** The buffered JSON lines as UTF-8 bytes, each ending in a newline (see {@link LineBuffer}). */
  #buffer = new LineBuffer();
  #file: OpenFile | undefined;
  #flushing: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #sequence = 0;
  #closed = false;
  #dropped = 0;

  constructor(options: PredictionLogOptions) {
    this.dir = options.dir;
    this.#options = options;
    this.#maxFileBytes = options.maxFileBytes ?? 64 * 1024 * 1024;
    this.#maxBuffered = options.maxBufferedRecords ?? 10_000;
    this.#now = options.now ?? (() => new Date());
    mkdirSync(this.dir, { recursive: true });
  }

  /** Records dropped so far. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Queues a record; returns false (and counts it) when the buffer is full. Never throws, never waits. */
  append(record: T): boolean {
    if (this.#closed || this.#buffer.lines >= this.#maxBuffered) {
      this.#drop(1);
      return false;
    }
    let line: string;
    try {
      line = `${JSON.stringify(record)}\n`;
    } catch {
      // A value JSON cannot hold (a BigInt, a cycle) costs this record, never the request.
      this.#drop(1);
      return false;
    }
    this.#buffer.add(line);
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      void this.flush();
    }, this.#options.flushIntervalMs ?? 200);
    return true;
  }

  /** Writes out everything buffered so far. */
  async flush(): Promise<void> {
    while (this.#flushing) await this.#flushing;
    if (this.#buffer.lines === 0) return;
    const records = this.#buffer.take();
    this.#flushing = this.#write(records).finally(() => {
      this.#flushing = undefined;
    });
    await this.#flushing;
  }

  /** Flushes and closes the current file; later appends are dropped. */
  async close(): Promise<void> {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.flush();
    this.#closed = true;
    await this.#closeFile();
  }

  #drop(count: number): void {
    this.#dropped += count;
    this.#options.onDrop?.(count);
  }

  async #write(records: TakenLines): Promise<void> {
    const { bytes, ends } = records;
    let index = 0;
    try {
      while (index < ends.length) {
        const file = await this.#fileFor(this.#now());
        // Fill the current file up to its size limit (at least one line), then rotate.
        const start = index;
        const from = start === 0 ? 0 : (ends[start - 1] as number);
        index++;
        while (index < ends.length && file.bytes + (ends[index] as number) - from < this.#maxFileBytes) index++;
        const to = ends[index - 1] as number;
        await file.handle.appendFile(bytes.subarray(from, to));
        file.bytes += to - from;
        this.#options.onWrite?.(index - start);
      }
    } catch {
      this.#drop(ends.length - index);
      await this.#closeFile();
    }
  }

  async #fileFor(now: Date): Promise<OpenFile> {
    const hour = now.toISOString().slice(0, 13);
    const current = this.#file;
    if (current && current.hour === hour && current.bytes < this.#maxFileBytes) return current;
    await this.#closeFile();
    const sequence = String(this.#sequence++).padStart(4, "0");
    const path = join(
      this.dir,
      `${this.#options.prefix ?? "predictions"}-${fileStamp(now)}-${process.pid}-${sequence}.jsonl`,
    );
    const handle = await open(path, "a");
    this.#file = { handle, path, hour, bytes: 0 };
    return this.#file;
  }

  async #closeFile(): Promise<void> {
    const file = this.#file;
    this.#file = undefined;
    await file?.handle.close().catch(() => undefined);
  }
}

/** The prediction log. */
export class PredictionLog extends JsonLinesLog<PredictionRecord | FailedPredictionRecord> {}

/** The feedback log: ground-truth labels, in files named `feedback-*.jsonl` beside the predictions. */
export class FeedbackLog extends JsonLinesLog<FeedbackRecord> {
  constructor(options: Omit<PredictionLogOptions, "prefix">) {
    super({ ...options, prefix: "feedback" });
  }
}
