/**
 * @module tracking/store/metric-chunks
 * The packed form of metric history. A chunk is the points one write added to one (run, key):
 * little-endian float64 triples (step, timestamp, value). Float64 keeps NaN and every step and
 * timestamp a JavaScript number can hold. Reading merges a series' chunks, drops exact duplicate
 * points (a client retry writes the same point again; MLflow ignores it too) and sorts.
 */
import type { Metric } from "../entities.js";
import { encodeMetricValue } from "./rows.js";

const FIELDS = 3;
const BYTES_PER_POINT = FIELDS * 8;

export interface Point {
  step: number;
  timestamp: number;
  value: number;
}

export function encodePoints(metrics: readonly Metric[]): Uint8Array {
  const array = new Float64Array(metrics.length * FIELDS);
  metrics.forEach((metric, index) => {
    const { value, is_nan } = encodeMetricValue(metric.value);
    array[index * FIELDS] = metric.step;
    array[index * FIELDS + 1] = metric.timestamp;
    array[index * FIELDS + 2] = is_nan ? Number.NaN : value;
  });
  return new Uint8Array(array.buffer);
}

function decodeInto(bytes: Uint8Array, out: Point[]): void {
  // Copy into an aligned buffer: a blob from the driver may sit at any byte offset.
  const aligned = new Float64Array(bytes.byteLength / 8);
  new Uint8Array(aligned.buffer).set(bytes.subarray(0, aligned.length * 8));
  for (let i = 0; i + FIELDS <= aligned.length; i += FIELDS) {
    out.push({ step: aligned[i]!, timestamp: aligned[i + 1]!, value: aligned[i + 2]! });
  }
}

/** Exact duplicates compare equal here, NaN included (Object.is semantics on the value). */
function pointKey(point: Point): string {
  return `${point.step}|${point.timestamp}|${Number.isNaN(point.value) ? "NaN" : point.value}`;
}

/** All distinct points of a series, ordered by (timestamp, step, value) like MLflow's history. */
export function decodeSeries(chunks: readonly Uint8Array[]): Point[] {
  const points: Point[] = [];
  for (const chunk of chunks) decodeInto(chunk, points);
  const seen = new Set<string>();
  const distinct = points.filter((point) => {
    const key = pointKey(point);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return distinct.sort(
    (a, b) =>
      a.timestamp - b.timestamp ||
      a.step - b.step ||
      (Number.isNaN(a.value) ? 1 : Number.isNaN(b.value) ? -1 : a.value - b.value),
  );
}

export function pointCount(bytes: Uint8Array): number {
  return Math.floor(bytes.byteLength / BYTES_PER_POINT);
}
