/**
 * @module monitoring/duration
 * Durations as Prometheus writes them: `90s`, `5m`, `1h30m`, `2d`, `250ms`.
 */
import { invalidParameter } from "../core/errors.js";

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** Milliseconds in `text`; throws naming `what` and an example when it is not a duration. */
export function parseDuration(text: string, what: string): number {
  const trimmed = String(text).trim();
  if (trimmed === "0") return 0;
  const parts = /^(?:\d+(?:ms|s|m|h|d|w))+$/.test(trimmed) ? trimmed.match(/\d+(?:ms|s|m|h|d|w)/g) : null;
  if (!parts) throw invalidParameter(`${what} must be a duration like 30s, 5m, 1h or 1h30m, got '${text}'.`);
  let total = 0;
  for (const part of parts) {
    const unit = /(?:ms|s|m|h|d|w)$/.exec(part)![0];
    total += Number(part.slice(0, -unit.length)) * UNITS[unit]!;
  }
  return total;
}

/** `ms` as a Prometheus duration (`2m`, `90s`, `1500ms`). */
export function formatDuration(ms: number): string {
  if (ms === 0) return "0s";
  for (const [unit, size] of [
    ["h", 3_600_000],
    ["m", 60_000],
    ["s", 1000],
  ] as const)
    if (ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}
