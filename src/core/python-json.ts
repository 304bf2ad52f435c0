/**
 * @module core/python-json
 * Text exactly as Python writes it, for the files and hashes MLflow and DVC produce with Python:
 * `json.dumps` (`", "` and `": "` separators, non-ASCII escaped as `\uXXXX`, NaN and Infinity
 * bare, optionally `sort_keys=True`), `repr(float)`, and `str` ordering by code point. DVC hashes
 * `.dir` manifests, stage checksums and run-cache entries this way (reference/dvc.md §0.1, §2.3–2.5);
 * MLflow writes signatures this way into MLmodel files.
 */

/** A JSON value this encoder accepts. */
export type PythonJsonValue = string | number | boolean | null | PythonJsonValue[] | { [key: string]: PythonJsonValue };

const SURROGATE = /[\uD800-\uDFFF]/;
/** Strings Python writes unchanged between quotes: printable ASCII without a quote or a backslash. */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/** Compares two strings by Unicode code point, as Python sorts `str` (JS `<` compares UTF-16 units). */
export function compareCodePoints(a: string, b: string): number {
  // UTF-16 order equals code point order unless a surrogate meets a unit above it (U+E000–U+FFFF).
  if (!SURROGATE.test(a) && !SURROGATE.test(b)) return a < b ? -1 : a > b ? 1 : 0;
  const left = Array.from(a);
  const right = Array.from(b);
  const length = Math.min(left.length, right.length);
  for (let index = 0; index < length; index++) {
    const x = left[index]!.codePointAt(0)!;
    const y = right[index]!.codePointAt(0)!;
    if (x !== y) return x - y;
  }
  return left.length - right.length;
}

/** Python's `repr(float)`: shortest round-trip digits, exponent form below 1e-4 and from 1e16. */
export function pythonFloat(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (!Number.isFinite(value)) return value > 0 ? "Infinity" : "-Infinity";
  if (Object.is(value, -0)) return "-0.0";
  const [mantissa, exponentText] = value.toExponential().split("e") as [string, string];
  const exponent = Number(exponentText);
  const negative = mantissa.startsWith("-");
  const digits = mantissa.replace("-", "").replace(".", "");
  const sign = negative ? "-" : "";
  if (exponent < -4 || exponent >= 16) {
    const body = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${body}e${exponent < 0 ? "-" : "+"}${String(Math.abs(exponent)).padStart(2, "0")}`;
  }
  if (exponent < 0) return `${sign}0.${"0".repeat(-exponent - 1)}${digits}`;
  const whole = digits.slice(0, exponent + 1).padEnd(exponent + 1, "0");
  const fraction = digits.slice(exponent + 1);
  return `${sign}${whole}.${fraction === "" ? "0" : fraction}`;
}

function encodeString(text: string): string {
  if (PLAIN.test(text)) return `"${text}"`;
  let out = '"';
  for (let index = 0; index < text.length; index++) {
    const unit = text.charCodeAt(index);
    const char = text[index]!;
    if (char === '"') out += '\\"';
    else if (char === "\\") out += "\\\\";
    else if (char === "\n") out += "\\n";
    else if (char === "\r") out += "\\r";
    else if (char === "\t") out += "\\t";
    else if (char === "\b") out += "\\b";
    else if (char === "\f") out += "\\f";
    // Python escapes each UTF-16 unit, so astral characters become surrogate pairs.
    else if (unit < 0x20 || unit > 0x7e) out += `\\u${unit.toString(16).padStart(4, "0")}`;
    else out += char;
  }
  return `${out}"`;
}

/** Options of {@link pythonJsonDumps}. */
export interface PythonJsonOptions {
  /** `sort_keys=True`: object keys by code point instead of insertion order (default true). */
  sortKeys?: boolean;
}

/**
 * Serialises `value` like Python's `json.dumps(value, sort_keys=…)`. Integral numbers print as
 * integers (JSON parsing loses the difference between `1` and `1.0`); other floats as `repr`.
 * Object members whose value is undefined are left out; dates print as ISO strings.
 */
export function pythonJsonDumps(value: unknown, options: PythonJsonOptions = {}): string {
  const sortKeys = options.sortKeys ?? true;
  const dump = (item: unknown): string => {
    if (item === null || item === undefined) return "null";
    if (typeof item === "boolean") return item ? "true" : "false";
    if (typeof item === "number") return Number.isInteger(item) ? String(item) : pythonFloat(item);
    if (typeof item === "bigint") return item.toString();
    if (typeof item === "string") return encodeString(item);
    if (Array.isArray(item)) return `[${item.map(dump).join(", ")}]`;
    if (item instanceof Date) return encodeString(item.toISOString());
    const record = item as Record<string, unknown>;
    const keys = Object.keys(record).filter((key) => record[key] !== undefined);
    if (sortKeys) keys.sort(compareCodePoints);
    return `{${keys.map((key) => `${encodeString(key)}: ${dump(record[key])}`).join(", ")}}`;
  };
  return dump(value);
}
