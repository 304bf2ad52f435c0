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

/** MLflow's history order: timestamp, then step, then value with NaN last; 0 only for identical points. */
function comparePoints(a: Point, b: Point): number {
  if (a.timestamp !== b.timestamp) return a.timestamp - b.timestamp;
  if (a.step !== b.step) return a.step - b.step;
  const aNaN = Number.isNaN(a.value);
  const bNaN = Number.isNaN(b.value);
  if (aNaN || bNaN) return aNaN === bNaN ? 0 : aNaN ? 1 : -1;
  return a.value - b.value;
}

/**
 * All distinct points of a series, ordered by (timestamp, step, value) like MLflow's history. Exact
 * duplicates (NaN equal to NaN, 0 to -0) sort next to each other, so one pass after sorting drops
 * them; a series logged in order (the usual case) is not sorted again.
 */
export function decodeSeries(chunks: readonly Uint8Array[]): Point[] {
  const points: Point[] = [];
  for (const chunk of chunks) decodeInto(chunk, points);
  let ordered = true;
  for (let i = 1; i < points.length && ordered; i++) ordered = comparePoints(points[i - 1]!, points[i]!) <= 0;
  if (!ordered) points.sort(comparePoints);
  let kept = 0;
  for (let i = 0; i < points.length; i++) {
    if (kept > 0 && comparePoints(points[kept - 1]!, points[i]!) === 0) continue;
    points[kept++] = points[i]!;
  }
  points.length = kept;
  return points;
}

export function pointCount(bytes: Uint8Array): number {
  return Math.floor(bytes.byteLength / BYTES_PER_POINT);
}
