/**
 * @module pipeline/values
 * Parameter values as DVC (Python) sees them: `str()` of numbers (`1e-05`, `1e+16`, `0.2`),
 * `json.dumps(sort_keys=True)` with floats (run-cache keys, reference/dvc.md §0.5, §2.5) and
 * comparison by value (`0.20` equals `0.2`, §1.4).
 */
import { pythonFloat } from "../core/python-json.js";

/** Python's `str()` of a parsed YAML scalar (integers stay integers; whole floats read as integers). */
export function pythonStr(value: unknown): string {
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : pythonFloat(value);
  if (typeof value === "boolean") return value ? "True" : "False";
  if (value === null || value === undefined) return "None";
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "string") return value;
  return JSON.stringify(value);
}

/** Deep equality by value, as Python's `==` on parsed params. */
export function valuesEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === "number" && typeof b === "number") return a === b || (Number.isNaN(a) && Number.isNaN(b));
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((item, index) => valuesEqual(item, b[index]));
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (a && b && typeof a === "object" && typeof b === "object" && !Array.isArray(a) && !Array.isArray(b)) {
    const left = a as Record<string, unknown>;
    const right = b as Record<string, unknown>;
    const keys = Object.keys(left);
    if (keys.length !== Object.keys(right).length) return false;
    return keys.every((key) => Object.hasOwn(right, key) && valuesEqual(left[key], right[key]));
  }
  return false;
}
