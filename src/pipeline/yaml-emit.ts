/**
 * @module pipeline/yaml-emit
 * Writes YAML the way DVC's ruamel.yaml dump does (reference/dvc.md §0.6): block style, two-space
 * mappings, sequences not indented under their key, plain scalars where YAML allows them (else
 * single quotes), and long plain scalars folded at a space once past column 80.
 */
import { pythonFloat } from "../core/python-json.js";

const WIDTH = 80;

// What ruamel.yaml's YAML 1.2 resolver would read as something other than a string.
const RESERVED =
  /^(true|True|TRUE|false|False|FALSE|null|Null|NULL|~|[-+]?[0-9_]+|[-+]?0b[01_]+|[-+]?0o?[0-7_]+|[-+]?0x[0-9a-fA-F_]+|[-+]?[0-9][0-9_]*\.[0-9_]*([eE][-+]?[0-9]+)?|[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+|[-+]?\.[0-9_]+([eE][-+]?[0-9]+)?|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))$/;

/** True when `text` holds a character YAML cannot show unescaped (controls, odd line breaks, BOM). */
function hasSpecialCharacter(text: string): boolean {
  for (let index = 0; index < text.length; index++) {
    const unit = text.charCodeAt(index);
    if (unit < 0x20 || unit === 0x7f || unit === 0x85 || unit === 0x2028 || unit === 0x2029 || unit === 0xfeff)
      return true;
  }
  return false;
}

/** True when `text` may be written as a plain (unquoted) block scalar. */
function isPlain(text: string): boolean {
  if (text === "" || text !== text.trim()) return false;
  if (/^[-?:,[\]{}#&*!|>'"%@`]/.test(text) && !/^[-?:][^\s]/.test(text)) return false;
  if (/^[-?:]$/.test(text)) return false;
  if (text.includes(": ") || text.includes(" #") || text.endsWith(":")) return false;
  if (hasSpecialCharacter(text)) return false;
  return !RESERVED.test(text);
}

function doubleQuoted(text: string): string {
  return JSON.stringify(text);
}

/** A string scalar: plain when allowed, else single-quoted, double-quoted if it holds control characters. */
export function yamlString(text: string): string {
  if (isPlain(text)) return text;
  if (hasSpecialCharacter(text)) return doubleQuoted(text);
  return `'${text.replace(/'/g, "''")}'`;
}

/**
 * Appends a plain scalar starting at `column` and folds it like ruamel's emitter: a single space
 * becomes a line break (indented by `indent`) when the text written so far passes column 80.
 */
function foldPlain(text: string, column: number, indent: number): string {
  let out = "";
  let col = column;
  const parts = text.split(/( +)/);
  for (const part of parts) {
    if (part === "") continue;
    if (part.startsWith(" ")) {
      if (part.length === 1 && col > WIDTH) {
        out += `\n${" ".repeat(indent)}`;
        col = indent;
      } else {
        out += part;
        col += part.length;
      }
    } else {
      out += part;
      col += part.length;
    }
  }
  return out;
}

/** A single-quoted scalar starting at `column`, folded like plain ones (never at its first or last space). */
function foldSingleQuoted(text: string, column: number, indent: number): string {
  let out = "'";
  let col = column + 1;
  let position = 0;
  for (const part of text.split(/( +)/)) {
    if (part === "") continue;
    const start = position;
    position += part.length;
    if (part.startsWith(" ") && part.length === 1 && col > WIDTH && start !== 0 && position !== text.length) {
      out += `\n${" ".repeat(indent)}`;
      col = indent;
      continue;
    }
    const escaped = part.replace(/'/g, "''");
    out += escaped;
    col += escaped.length;
  }
  return `${out}'`;
}

function scalar(value: unknown, column: number, indent: number): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : pythonFloat(value);
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Date) return value.toISOString();
  const text = String(value);
  if (isPlain(text)) return foldPlain(text, column, indent);
  return hasSpecialCharacter(text) ? doubleQuoted(text) : foldSingleQuoted(text, column, indent);
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value) && !(value instanceof Date);
}

function isEmptyCollection(value: unknown): boolean {
  return (Array.isArray(value) && value.length === 0) || (isMapping(value) && Object.keys(value).length === 0);
}

/**
 * Lines of a block mapping at `indent`. When `firstPrefix` is given, the first key goes on that
 * prefix (a sequence item's `- `) instead of its own indentation.
 */
function mappingLines(value: Record<string, unknown>, indent: number, firstPrefix?: string): string[] {
  const lines: string[] = [];
  let first = true;
  for (const [key, item] of Object.entries(value)) {
    const lead = first && firstPrefix !== undefined ? firstPrefix : " ".repeat(indent);
    first = false;
    const head = `${lead}${yamlString(key)}:`;
    if (isEmptyCollection(item)) lines.push(`${head} ${Array.isArray(item) ? "[]" : "{}"}`);
    else if (Array.isArray(item)) lines.push(head, ...sequenceLines(item, indent));
    else if (isMapping(item)) lines.push(head, ...mappingLines(item, indent + 2));
    else lines.push(`${head} ${scalar(item, head.length + 1, indent + 2)}`);
  }
  return lines;
}

/** Lines of a block sequence whose dashes sit at `indent`. */
function sequenceLines(value: readonly unknown[], indent: number): string[] {
  const lines: string[] = [];
  const dash = `${" ".repeat(indent)}- `;
  for (const item of value) {
    if (isEmptyCollection(item)) lines.push(`${dash}${Array.isArray(item) ? "[]" : "{}"}`);
    else if (isMapping(item)) lines.push(...mappingLines(item, indent + 2, dash));
    else if (Array.isArray(item)) {
      const inner = sequenceLines(item, indent + 2);
      lines.push(`${dash}${inner[0]!.trimStart()}`, ...inner.slice(1));
    } else lines.push(`${dash}${scalar(item, dash.length, indent + 2)}`);
  }
  return lines;
}

/** A whole document for a top-level mapping, ending in a newline. */
export function emitYaml(value: Record<string, unknown>): string {
  return `${mappingLines(value, 0).join("\n")}\n`;
}
