/**
 * @module data/python-json
 * JSON text exactly as Python's `json.dumps(value, sort_keys=True)` writes it, which DVC hashes for
 * `.dir` manifests and stage checksums (reference/dvc.md §0.1, §2.3–2.4): `", "` and `": "`
 * separators, non-ASCII escaped as `\uXXXX`, keys sorted by code point.
 */

/** A JSON value this encoder accepts (integers only: DVC's hashed dicts carry no floats here). */
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

/** Serialises `value` like `json.dumps(value, sort_keys=True)`. */
export function pythonJsonDumps(value: PythonJsonValue): string {
  if (value === null) return "null";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") {
    if (!Number.isInteger(value)) throw new Error(`pythonJsonDumps: only integers are supported, got ${value}`);
    return String(value);
  }
  if (typeof value === "string") return encodeString(value);
  if (Array.isArray(value)) return `[${value.map(pythonJsonDumps).join(", ")}]`;
  const keys = Object.keys(value).sort(compareCodePoints);
  return `{${keys.map((key) => `${encodeString(key)}: ${pythonJsonDumps(value[key]!)}`).join(", ")}}`;
}
