/**
 * @module pipeline/metrics/values
 * Metric and parameter values once read from their files: nested objects flattened to dotted keys
 * (list items by index, `a.0.b`), leaf values kept with their types, compared by value and
 * formatted for tables.
 */

/** A leaf value of a metrics or params file. */
export type Scalar = string | number | boolean | null;

/** Dotted key → leaf value, in file order. */
export type FlatValues = Map<string, Scalar>;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

function toScalar(value: unknown): Scalar {
  if (value === null || value === undefined) return null;
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return value;
  if (typeof value === "bigint") return Number(value);
  if (value instanceof Date) return value.toISOString();
  return String(value);
}

/**
 * Flattens a parsed file into dotted keys: `{train: {lr: 0.1}}` → `train.lr`, `{a: [1, 2]}` →
 * `a.0`, `a.1`. Empty objects and lists disappear, as they carry no value to show.
 */
export function flattenValues(value: unknown, prefix = "", into: FlatValues = new Map()): FlatValues {
  if (Array.isArray(value)) {
    value.forEach((item, index) => {
      flattenValues(item, prefix === "" ? String(index) : `${prefix}.${index}`, into);
    });
    return into;
  }
  if (isRecord(value)) {
    for (const [key, item] of Object.entries(value))
      flattenValues(item, prefix === "" ? key : `${prefix}.${key}`, into);
    return into;
  }
  if (prefix !== "") into.set(prefix, toScalar(value));
  return into;
}

/** Equal by value: `0.20` and `0.2` are the same number once parsed; `1` and `"1"` are not. */
export function sameValue(a: Scalar | undefined, b: Scalar | undefined): boolean {
  if (typeof a === "number" && typeof b === "number") return a === b || (Number.isNaN(a) && Number.isNaN(b));
  return a === b;
}

/** Rounds a number to `precision` digits after the decimal point (DVC's `--precision`). */
export function roundTo(value: number, precision: number): number {
  if (!Number.isFinite(value) || Number.isInteger(value)) return value;
  return Number(value.toFixed(Math.min(Math.max(precision, 0), 100)));
}

/** A value as a table cell: `-` when absent, numbers rounded to `precision`. */
export function formatValue(value: Scalar | undefined, precision?: number): string {
  if (value === undefined) return "-";
  if (value === null) return "null";
  if (typeof value === "number") return String(precision === undefined ? value : roundTo(value, precision));
  return String(value);
}

/**
 * Numeric change from `a` to `b`, when both are numbers, to 12 significant digits so binary
 * floating-point noise does not show (`0.85 - 0.8` is `0.05`, not `0.04999999999999993`).
 */
export function numericChange(a: Scalar | undefined, b: Scalar | undefined): number | undefined {
  if (typeof a !== "number" || typeof b !== "number") return undefined;
  const change = b - a;
  return Number.isFinite(change) ? Number(change.toPrecision(12)) : change;
}
