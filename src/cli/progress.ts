/**
 * @module cli/progress
 * The one-line progress shown on a terminal while data is hashed or moved: files, bytes, rate and,
 * when the totals are known, the estimated time left. Pure formatting, so it is tested without a
 * terminal; the commands decide when to draw it.
 */

/** Where a long operation stands. Totals are optional: without them there is no ETA. */
export interface ProgressSnapshot {
  readonly files: number;
  readonly totalFiles?: number;
  readonly bytes: number;
  readonly totalBytes?: number;
  readonly elapsedMs: number;
}

const UNITS = ["B", "KiB", "MiB", "GiB", "TiB"] as const;

/** The binary unit that shows `bytes` with one to four integer digits. */
function unitFor(bytes: number): { name: string; size: number } {
  let index = 0;
  while (index < UNITS.length - 1 && bytes >= 1024 ** (index + 1)) index++;
  return { name: UNITS[index]!, size: 1024 ** index };
}

function scaled(bytes: number, size: number, name: string): string {
  return name === "B" ? String(Math.round(bytes)) : (bytes / size).toFixed(1);
}

/** A byte count in a readable binary unit. @example formatBytes(3_250_586) // "3.1 MiB" */
export function formatBytes(bytes: number): string {
  const unit = unitFor(bytes);
  return `${scaled(bytes, unit.size, unit.name)} ${unit.name}`;
}

/** A duration in whole seconds, minutes and hours. @example formatDuration(125_000) // "2m05s" */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.ceil(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(seconds % 60).padStart(2, "0")}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, "0")}m`;
}

/** Time left at the average rate so far, from bytes when their total is known, else from files. */
function estimate(snapshot: ProgressSnapshot): number | undefined {
  const { files, totalFiles, bytes, totalBytes, elapsedMs } = snapshot;
  if (elapsedMs <= 0) return undefined;
  if (totalBytes !== undefined && totalBytes > 0) {
    if (bytes <= 0) return undefined;
    return (Math.max(totalBytes - bytes, 0) * elapsedMs) / bytes;
  }
  if (totalFiles !== undefined && totalFiles > 0 && files > 0)
    return (Math.max(totalFiles - files, 0) * elapsedMs) / files;
  return undefined;
}

/**
 * One progress line.
 * @example
 * formatProgress({ files: 12, totalFiles: 40, bytes: 3.1 * 2 ** 20, totalBytes: 9 * 2 ** 20, elapsedMs: 2600 })
 * // "12/40 files, 3.1/9.0 MiB, 1.2 MiB/s, ETA 5s"
 */
export function formatProgress(snapshot: ProgressSnapshot): string {
  const { files, totalFiles, bytes, totalBytes, elapsedMs } = snapshot;
  const parts = [totalFiles === undefined ? `${files} files` : `${files}/${totalFiles} files`];
  if (totalBytes !== undefined && totalBytes > 0) {
    const unit = unitFor(Math.max(totalBytes, bytes));
    parts.push(`${scaled(bytes, unit.size, unit.name)}/${scaled(totalBytes, unit.size, unit.name)} ${unit.name}`);
  } else parts.push(formatBytes(bytes));
  const seconds = Math.max(elapsedMs, 1) / 1000;
  parts.push(`${formatBytes(bytes / seconds)}/s`);
  const left = estimate(snapshot);
  if (left !== undefined) parts.push(`ETA ${formatDuration(left)}`);
  return parts.join(", ");
}
