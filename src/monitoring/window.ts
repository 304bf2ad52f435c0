/**
 * @module monitoring/window
 * Reads a monitoring window out of the model server's prediction log: the records of the last
 * `durationMs` (by their `timestamp`) or the last `rows` predicted rows, turned into a feature table
 * (column → values, by the model's feature names) and the predicted labels or values, plus the
 * feedback labels joined by request id. Files are named by the UTC time they were opened, so a time
 * window skips every file that closed before it began. Each file is parsed line by line straight into
 * compact columns (no record objects are kept), so memory stays near the size of the table itself.
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { invalidParameter } from "../core/errors.js";
import type { Prediction } from "./detect-prediction.js";
import type { Table } from "./table.js";

export interface WindowOptions {
  /** The prediction log folder (`lathe serve --log-dir`). */
  readonly logDir: string;
  /** Feature names, in the model's input order (used for rows sent without column names). */
  readonly features: readonly string[];
  /** Records logged in the last this many ms... */
  readonly durationMs?: number;
  /** ...or the last this many predicted rows. */
  readonly rows?: number;
  /** End of a time window (default now). */
  readonly now?: Date;
}

export interface MonitoringWindow {
  readonly features: Table;
  readonly predictions: Prediction[];
  /** The true label of each row, null where no feedback arrived. */
  readonly labels: Prediction[];
  readonly rowCount: number;
  readonly labelledCount: number;
  /** Timestamps of the first and last record read (null for an empty window). */
  readonly start: string | null;
  readonly end: string | null;
  /** Prediction requests in the window, answered or failed. */
  readonly requests: number;
  /** Those that failed (an HTTP status of 400 or more). */
  readonly errors: number;
  /** The latency of each answered request, in ms. */
  readonly latenciesMs: Float64Array;
  /** The time the window spans, in seconds (its duration, or first to last record); null when unknown. */
  readonly seconds: number | null;
}

interface LogFile {
  readonly path: string;
  readonly opened: number;
}

/** `predictions-2026-11-23T12-00-00-123Z-…` → its opening time in ms. */
function openedAt(name: string, prefix: string): number {
  const stamp = name.slice(prefix.length + 1, prefix.length + 25);
  const iso = `${stamp.slice(0, 13)}:${stamp.slice(14, 16)}:${stamp.slice(17, 19)}.${stamp.slice(20, 23)}Z`;
  const time = Date.parse(iso);
  return Number.isNaN(time) ? 0 : time;
}

async function listLogFiles(dir: string, prefix: string): Promise<LogFile[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    throw invalidParameter(
      `The prediction log folder '${dir}' cannot be read; pass the --log-dir the model server writes to.`,
    );
  }
  return names
    .filter((name) => name.startsWith(`${prefix}-`) && name.endsWith(".jsonl"))
    .map((name) => ({ path: join(dir, name), opened: openedAt(name, prefix) }))
    .sort((a, b) => a.opened - b.opened || (a.path < b.path ? -1 : 1));
}

/** Calls `visit` with each parsed line of a JSON-lines file; a torn last line (a write in progress) is skipped. */
async function forEachJsonLine(
  path: string,
  visit: (record: Record<string, unknown>) => void,
  parse: (line: string) => unknown = JSON.parse,
): Promise<void> {
  const text = await readFile(path, "utf8").catch(() => "");
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf("\n", start);
    if (end < 0) end = text.length;
    if (end > start) {
      let record: unknown;
      try {
        record = parse(text.slice(start, end));
      } catch {
        // A partial line: skipped, the writer completes it later.
      }
      if (typeof record === "object" && record !== null) visit(record as Record<string, unknown>);
    }
    start = end + 1;
  }
}

/** The predicted label or value per row of a record's outputs, whatever protocol logged it. */
export function predictionsOf(outputs: unknown): Prediction[] {
  const scalar = (value: unknown): Prediction =>
    typeof value === "number" || typeof value === "string" || typeof value === "boolean" ? value : null;
  const pick = (fields: Record<string, unknown>): unknown =>
    fields.label ?? fields.output_label ?? fields.prediction ?? fields.predictions ?? fields.variable;
  if (Array.isArray(outputs)) {
    return outputs.map((item) => {
      if (Array.isArray(item)) return item.length === 1 ? scalar(item[0]) : null;
      if (typeof item === "object" && item !== null) {
        const value = pick(item as Record<string, unknown>);
        return Array.isArray(value) ? scalar(value[0]) : scalar(value);
      }
      return scalar(item);
    });
  }
  if (typeof outputs === "object" && outputs !== null) {
    const value = pick(outputs as Record<string, unknown>);
    if (Array.isArray(value)) return value.map((item) => (Array.isArray(item) ? scalar(item[0]) : scalar(item)));
  }
  return [];
}

/**
 * Parses a prediction-log line, reusing the parse of repeated parts. The writer emits the keys in a
 * fixed order ending `,"inputs":{"columns":[…],"data":[…]},"outputs":…}`, and inside JSON strings
 * quotes are escaped, so these markers cannot occur in values; the column list (the same on almost
 * every line) and short outputs are parsed once. Anything else takes a full JSON.parse.
 */
function createLineParser(): (line: string) => unknown {
  const cache = new Map<string, unknown>();
  const cached = (text: string): unknown => {
    let value = cache.get(text);
    if (value === undefined) {
      value = JSON.parse(text);
      if (cache.size < 10_000) cache.set(text, value);
    }
    return value;
  };
  const stringAfter = (line: string, key: string): string | undefined => {
    const at = line.indexOf(key);
    if (at < 0) return undefined;
    const end = line.indexOf('"', at + key.length);
    const value = line.slice(at + key.length, end);
    return end < 0 || value.includes("\\") ? undefined : value;
  };
  return (line) => {
    const inputsAt = line.indexOf(',"inputs":{');
    const outputsAt = line.lastIndexOf(',"outputs":');
    const id = stringAfter(line, '"request_id":"');
    const timestamp = stringAfter(line, '"timestamp":"');
    const latencyAt = line.indexOf('"latency_ms":');
    const latency_ms = latencyAt < 0 ? undefined : Number.parseFloat(line.slice(latencyAt + 13, latencyAt + 40));
    if (inputsAt < 0 || outputsAt < inputsAt || id === undefined || timestamp === undefined || !line.endsWith("}"))
      return JSON.parse(line);
    const inputs = line.slice(inputsAt + 10, outputsAt);
    const outputsText = line.slice(outputsAt + 11, -1);
    const outputs = outputsText.length <= 64 ? cached(outputsText) : JSON.parse(outputsText);
    if (inputs.startsWith('{"columns":')) {
      const dataAt = inputs.indexOf(',"data":');
      if (dataAt < 0 || !inputs.endsWith("}")) return JSON.parse(line);
      return {
        request_id: id,
        timestamp,
        latency_ms,
        inputs: { columns: cached(inputs.slice(11, dataAt)), data: JSON.parse(inputs.slice(dataAt + 8, -1)) },
        outputs,
      };
    }
    return { request_id: id, timestamp, latency_ms, inputs: JSON.parse(inputs), outputs };
  };
}

/** The records of one log file, as columns: per record its id, time and row count; per row the features and prediction. */
class Segment {
  readonly ids: string[] = [];
  readonly stamps: string[] = [];
  readonly recordRows: number[] = [];
  readonly values: number[][];
  /** Cells that are not numbers, by row, per feature (most features have none). */
  readonly text: Map<number, string>[];
  readonly predictions: Prediction[] = [];
  /** Per record: its latency in ms (NaN when not logged). */
  readonly latencies: number[] = [];
  /** Timestamps of failed requests (records with a `status` and no inputs). */
  readonly failures: string[] = [];
  rows = 0;
  readonly #names: readonly string[];
  #lastColumns: unknown[] | undefined;
  #lastPositions: number[] | undefined;

  constructor(names: readonly string[]) {
    this.#names = names;
    this.values = names.map(() => []);
    this.text = names.map(() => new Map());
  }

  /** Adds a record's rows; false when it holds no rows of the expected shape. */
  add(record: Record<string, unknown>): boolean {
    if (typeof record.status === "number" && record.status >= 400) {
      this.failures.push(String(record.timestamp));
      return false;
    }
    const inputs = record.inputs as { columns?: unknown; data?: unknown } | null | undefined;
    if (typeof inputs !== "object" || inputs === null || !Array.isArray(inputs.data)) return false;
    const rows = inputs.data as unknown[];
    if (!rows.every(Array.isArray)) return false;
    const columns = Array.isArray(inputs.columns) ? (inputs.columns as unknown[]) : undefined;
    // The line parser hands out one shared column list for identical headers: map it once.
    if (columns !== this.#lastColumns || this.#lastPositions === undefined) {
      this.#lastColumns = columns;
      this.#lastPositions = this.#names.map((name, f) => (columns ? columns.indexOf(name) : f));
    }
    const positions = this.#lastPositions;
    const predicted = predictionsOf(record.outputs);
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r] as unknown[];
      const index = this.rows++;
      for (let f = 0; f < positions.length; f++) {
        const position = positions[f]!;
        const value = position < 0 ? null : row[position];
        if (typeof value === "number") this.values[f]!.push(value);
        else if (value === null || value === undefined) this.values[f]!.push(Number.NaN);
        else {
          const cell = String(value);
          const number = typeof value === "string" && cell.trim() !== "" ? Number(cell) : Number.NaN;
          if (Number.isNaN(number)) this.text[f]!.set(index, cell);
          this.values[f]!.push(number);
        }
      }
      this.predictions.push(predicted[r] ?? null);
    }
    this.ids.push(String(record.request_id));
    this.stamps.push(String(record.timestamp));
    this.recordRows.push(rows.length);
    this.latencies.push(typeof record.latency_ms === "number" ? record.latency_ms : Number.NaN);
    return true;
  }
}

async function readSegment(
  path: string,
  names: readonly string[],
  keep: (record: Record<string, unknown>) => boolean,
): Promise<Segment> {
  const segment = new Segment(names);
  await forEachJsonLine(
    path,
    (record) => {
      if (keep(record)) segment.add(record);
    },
    createLineParser(),
  );
  return segment;
}

/** Reads every feedback label: request id → label (the latest wins). */
export async function readFeedback(logDir: string): Promise<Map<string, unknown>> {
  const labels = new Map<string, unknown>();
  for (const file of await listLogFiles(logDir, "feedback"))
    await forEachJsonLine(file.path, (record) => {
      if (typeof record.request_id === "string") labels.set(record.request_id, record.label);
    });
  return labels;
}

function asPrediction(value: unknown): Prediction {
  return typeof value === "string" || typeof value === "number" || typeof value === "boolean" ? value : null;
}

/** Joins segments (the first from record `skipRecords` on) into the window, with feedback labels. */
function assemble(
  segments: readonly Segment[],
  skipRecords: number,
  names: readonly string[],
  feedback: Map<string, unknown>,
  durationMs: number | undefined,
): MonitoringWindow {
  let total = 0;
  const skipRows = segments[0]?.recordRows.slice(0, skipRecords).reduce((a, b) => a + b, 0) ?? 0;
  for (const segment of segments) total += segment.rows;
  total -= skipRows;
  const numeric = names.map(() => new Float64Array(total));
  const text: Map<number, string>[] = names.map(() => new Map());
  const predictions: Prediction[] = new Array(total);
  const labels: Prediction[] = new Array(total).fill(null);
  let offset = 0;
  let labelled = 0;
  let start: string | null = null;
  let end: string | null = null;
  const latencies: number[] = [];
  segments.forEach((segment, s) => {
    const fromRow = s === 0 ? skipRows : 0;
    const fromRecord = s === 0 ? skipRecords : 0;
    for (let f = 0; f < names.length; f++) {
      const values = segment.values[f]!;
      const target = numeric[f]!;
      for (let r = fromRow; r < segment.rows; r++) target[offset + r - fromRow] = values[r]!;
      for (const [row, cell] of segment.text[f]!) if (row >= fromRow) text[f]!.set(offset + row - fromRow, cell);
    }
    for (let r = fromRow; r < segment.rows; r++) predictions[offset + r - fromRow] = segment.predictions[r]!;
    let row = offset;
    for (let k = fromRecord; k < segment.ids.length; k++) {
      const count = segment.recordRows[k]!;
      const stamp = segment.stamps[k]!;
      const latency = segment.latencies[k]!;
      if (!Number.isNaN(latency)) latencies.push(latency);
      if (start === null || stamp < start) start = stamp;
      if (end === null || stamp > end) end = stamp;
      const label = feedback.get(segment.ids[k]!);
      if (label !== undefined)
        for (let r = 0; r < count; r++) {
          const truth = Array.isArray(label)
            ? label.length === count
              ? asPrediction(label[r])
              : null
            : count === 1
              ? asPrediction(label)
              : null;
          if (truth !== null) {
            labels[row + r] = truth;
            labelled++;
          }
        }
      row += count;
    }
    offset += segment.rows - fromRow;
  });
  // A window by rows starts at its oldest answered request; failures before it belong to earlier windows.
  // (TypeScript cannot see the assignments inside forEach above.)
  const first = start as string | null;
  const last = end as string | null;
  let errors = 0;
  for (const segment of segments)
    for (const stamp of segment.failures) if (durationMs !== undefined || (first !== null && stamp >= first)) errors++;
  const requests = latencies.length + errors;
  const span = first !== null && last !== null ? (Date.parse(last) - Date.parse(first)) / 1000 : null;
  return {
    features: {
      rowCount: total,
      columns: names.map((name, f) => {
        const values = numeric[f]!;
        const cells = text[f]!;
        if (cells.size === 0) return { name, kind: "numeric" as const, values };
        return {
          name,
          kind: "categorical" as const,
          values: Array.from(values, (value, i) => cells.get(i) ?? (Number.isNaN(value) ? null : String(value))),
        };
      }),
    },
    predictions,
    labels,
    rowCount: total,
    labelledCount: labelled,
    start,
    end,
    requests,
    errors,
    latenciesMs: Float64Array.from(latencies),
    seconds: durationMs !== undefined ? durationMs / 1000 : span !== null && span > 0 ? span : null,
  };
}

/** Reads one monitoring window from the prediction log. */
export async function readWindow(options: WindowOptions): Promise<MonitoringWindow> {
  if ((options.durationMs === undefined) === (options.rows === undefined))
    throw invalidParameter("Give exactly one of --window <duration> and --window-rows <n>.");
  const names = options.features;
  const files = await listLogFiles(options.logDir, "predictions");
  const segments: Segment[] = [];
  let skipRecords = 0;
  if (options.durationMs !== undefined) {
    const end = (options.now ?? new Date()).getTime();
    const since = end - options.durationMs;
    // ISO 8601 UTC strings of one format compare as the times they name.
    const from = new Date(since).toISOString();
    const to = new Date(end).toISOString();
    // A file opened before `since` can still hold later records only if it is the last one opened by then.
    let first = 0;
    for (let i = 0; i < files.length; i++) if (files[i]!.opened <= since) first = i;
    for (const file of files.slice(first)) {
      const segment = await readSegment(file.path, names, (record) => {
        const time = String(record.timestamp);
        return time >= from && time <= to;
      });
      if (segment.rows > 0 || segment.failures.length > 0) segments.push(segment);
    }
  } else {
    const wanted = options.rows!;
    let count = 0;
    for (let i = files.length - 1; i >= 0 && count < wanted; i--) {
      const segment = await readSegment(files[i]!.path, names, () => true);
      count += segment.rows;
      if (segment.rows > 0) segments.unshift(segment);
    }
    // Keep the newest records holding `wanted` rows: drop whole records from the oldest file.
    const oldest = segments[0];
    if (oldest)
      while (skipRecords < oldest.recordRows.length && count - oldest.recordRows[skipRecords]! >= wanted)
        count -= oldest.recordRows[skipRecords++]!;
  }
  return assemble(segments, skipRecords, names, await readFeedback(options.logDir), options.durationMs);
}
