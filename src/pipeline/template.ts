/**
 * @module pipeline/template
 * `${…}` interpolation of `dvc.yaml` values (reference/dvc.md §1.3): dotted and indexed lookups
 * in a context built from `params.yaml`, `vars` and `foreach`/`matrix` items; `\${` escapes; a
 * value that is exactly one `${…}` keeps its type; a dictionary inside `cmd` becomes CLI flags.
 */
import { pythonStr } from "./values.js";

/** A template context: the merged variables visible to one stage. */
export type Context = Record<string, unknown>;

/** Why a template could not be resolved; the caller adds file, line and fix. */
export class TemplateError extends Error {}

const PATTERN = /(\\)?\$\{([^}]*)\}/g;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Splits `a.b[0].c` into `["a", "b", 0, "c"]`. */
function parseReference(expression: string): (string | number)[] {
  const text = expression.trim();
  if (text === "") throw new TemplateError("an empty reference '$\u007B}' names nothing");
  const parts: (string | number)[] = [];
  const token = /([^.[\]\s]+)|\[(\s*-?\d+\s*)\]|\.|(\[[^\]]*\])/g;
  let expectName = true;
  let position = 0;
  for (let match = token.exec(text); match !== null; match = token.exec(text)) {
    if (match.index !== position) throw new TemplateError(`'\${${expression}}' is not a valid reference`);
    position = token.lastIndex;
    if (match[1] !== undefined) {
      if (!expectName) throw new TemplateError(`'\${${expression}}' is not a valid reference`);
      parts.push(match[1]);
      expectName = false;
    } else if (match[2] !== undefined) parts.push(Number(match[2].trim()));
    else if (match[3] !== undefined) throw new TemplateError(`'\${${expression}}' has a bad index ${match[3]}`);
    else expectName = true;
  }
  if (position !== text.length || expectName || typeof parts[0] !== "string")
    throw new TemplateError(`'\${${expression}}' is not a valid reference`);
  return parts;
}

/** Looks `expression` up in `context`; throws a TemplateError naming the missing part. */
export function lookup(context: Context, expression: string): unknown {
  const parts = parseReference(expression);
  let value: unknown = context;
  let walked = "";
  for (const part of parts) {
    if (typeof part === "number") {
      if (!Array.isArray(value)) throw new TemplateError(`'${walked}' is not a list, so '[${part}]' cannot index it`);
      const index = part < 0 ? value.length + part : part;
      if (index < 0 || index >= value.length)
        throw new TemplateError(`index ${part} is out of range for '${walked}' (${value.length} items)`);
      value = value[index];
      walked += `[${part}]`;
    } else {
      if (!isPlainObject(value) || !Object.hasOwn(value, part))
        throw new TemplateError(walked === "" ? `'${part}' is not defined` : `'${walked}' has no key '${part}'`);
      value = value[part];
      walked = walked === "" ? part : `${walked}.${part}`;
    }
  }
  return value;
}

/** Quotes a word for `/bin/sh` like Python's `shlex.quote`. */
export function shellQuote(word: string): string {
  if (word === "") return "''";
  if (/^[\w@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, "'\"'\"'")}'`;
}

function flattenFlags(value: Record<string, unknown>, prefix: string, out: [string, unknown][]): void {
  for (const [key, item] of Object.entries(value)) {
    const name = prefix === "" ? key : `${prefix}.${key}`;
    if (isPlainObject(item)) flattenFlags(item, name, out);
    else out.push([name, item]);
  }
}

/** A dictionary as command-line flags (DVC's defaults: `store_true` booleans, `nargs` lists). */
function dictToFlags(value: Record<string, unknown>): string {
  const pairs: [string, unknown][] = [];
  flattenFlags(value, "", pairs);
  const words: string[] = [];
  for (const [name, item] of pairs) {
    if (item === true) words.push(`--${name}`);
    else if (item === false || item === null || item === undefined) continue;
    else if (Array.isArray(item)) words.push(`--${name}`, ...item.map((part) => shellQuote(pythonStr(part))));
    else words.push(`--${name}`, shellQuote(pythonStr(item)));
  }
  return words.join(" ");
}

function stringify(value: unknown, expression: string, inCommand: boolean): string {
  if (isPlainObject(value)) {
    if (inCommand) return dictToFlags(value);
    throw new TemplateError(`'\${${expression}}' is a dictionary; only 'cmd' can take one (as --flags)`);
  }
  if (Array.isArray(value)) {
    if (inCommand) return value.map((item) => shellQuote(pythonStr(item))).join(" ");
    throw new TemplateError(`'\${${expression}}' is a list and cannot be embedded in a string`);
  }
  if (typeof value === "boolean") return value ? "true" : "false";
  if (value === null || value === undefined) return "None";
  return pythonStr(value);
}

/** True when `text` holds an unescaped `${…}`. */
export function hasTemplate(text: string): boolean {
  for (const match of text.matchAll(PATTERN)) if (match[1] === undefined) return true;
  return false;
}

/**
 * Resolves one string. Exactly one `${…}` and nothing else returns the referenced value with its
 * type; otherwise the result is a string. `inCommand` lets dictionaries become flags.
 */
export function interpolate(text: string, context: Context, inCommand = false): unknown {
  const whole = /^\$\{([^}]*)\}$/.exec(text);
  if (whole) return lookup(context, whole[1]!);
  if (!text.includes("${")) return text;
  return text.replace(PATTERN, (_all, escaped: string | undefined, expression: string) =>
    escaped ? `\${${expression}}` : stringify(lookup(context, expression), expression, inCommand),
  );
}

/** Merges `addition` into `context`, refusing to redefine a key; `origin` names the source in errors. */
export function mergeContext(context: Context, addition: Record<string, unknown>, origin: string): void {
  for (const [key, value] of Object.entries(addition)) {
    if (Object.hasOwn(context, key))
      throw new TemplateError(`'${key}' from ${origin} is already defined; a variable may be defined only once`);
    context[key] = value;
  }
}
