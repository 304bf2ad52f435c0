/**
 * @module pipeline/fast-yaml
 * A small reader for the block-style YAML that `dvc.yaml`, `dvc.lock` and `params.yaml` files are
 * written in: block mappings and sequences, one-line flow collections, plain (also folded over
 * several lines), single- and double-quoted scalars, comments, and YAML 1.2 core-schema scalars.
 * It records the line of every key and item. Anything else (anchors, tags, block scalars,
 * multi-line quotes, several documents …) returns undefined, and callers use the full `yaml`
 * parser, which is several times slower to start — this reader keeps a no-op `repro` fast.
 */

/** A parsed document and the 1-based line of each key path (`\0`-joined). */
export interface FastYaml {
  value: unknown;
  lines: Map<string, number>;
}

interface Line {
  indent: number;
  text: string;
  number: number;
}

class Unsupported extends Error {}

const unsupported = (): never => {
  throw new Unsupported();
};

/** YAML 1.2 core schema resolution of a plain scalar. */
function resolvePlain(text: string): unknown {
  if (text === "" || text === "~" || text === "null" || text === "Null" || text === "NULL") return null;
  if (text === "true" || text === "True" || text === "TRUE") return true;
  if (text === "false" || text === "False" || text === "FALSE") return false;
  if (/^[-+]?[0-9]+$/.test(text)) return Number(text);
  if (/^0o[0-7]+$/.test(text)) return Number.parseInt(text.slice(2), 8);
  if (/^0x[0-9a-fA-F]+$/.test(text)) return Number.parseInt(text.slice(2), 16);
  if (/^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/.test(text)) return Number(text);
  if (/^[-+]?\.(inf|Inf|INF)$/.test(text)) return text.startsWith("-") ? -Infinity : Infinity;
  if (/^\.(nan|NaN|NAN)$/.test(text)) return Number.NaN;
  return text;
}

/** Removes a trailing ` # comment` outside quotes. */
function stripComment(text: string): string {
  let quote = "";
  for (let index = 0; index < text.length; index++) {
    const char = text[index]!;
    if (quote) {
      if (char === quote) {
        if (quote === "'" && text[index + 1] === "'") index++;
        else quote = "";
      } else if (char === "\\" && quote === '"') index++;
    } else if (char === "'" || char === '"') {
      if (index === 0 || /[\s[{,:]/.test(text[index - 1]!)) quote = char;
    } else if (char === "#" && (index === 0 || /\s/.test(text[index - 1]!))) return text.slice(0, index).trimEnd();
  }
  if (quote) unsupported();
  return text.trimEnd();
}

function quoted(text: string): { value: string; rest: string } {
  if (text.startsWith("'")) {
    let value = "";
    for (let index = 1; index < text.length; index++) {
      if (text[index] === "'") {
        if (text[index + 1] === "'") {
          value += "'";
          index++;
          continue;
        }
        return { value, rest: text.slice(index + 1) };
      }
      value += text[index];
    }
    return unsupported();
  }
  const end = /^"(?:[^"\\]|\\["\\/bfnrtu])*"/.exec(text);
  if (!end) return unsupported();
  return { value: JSON.parse(end[0]) as string, rest: text.slice(end[0].length) };
}

/** Checks that a plain scalar may start this way in block context. */
function checkPlain(text: string): void {
  if (/^[&*!|>%@`]/.test(text) || /^[?:-](\s|$)/.test(text) || text.startsWith("---")) unsupported();
}

/** Parses a one-line flow collection or scalar starting at `text[start]`; returns the value and the end index. */
function flowValue(text: string, start: number): [unknown, number] {
  let index = start;
  const skip = () => {
    while (text[index] === " ") index++;
  };
  skip();
  const char = text[index];
  if (char === "[") {
    const items: unknown[] = [];
    index++;
    skip();
    if (text[index] === "]") return [items, index + 1];
    for (;;) {
      const [item, end] = flowValue(text, index);
      items.push(item);
      index = end;
      skip();
      if (text[index] === ",") {
        index++;
        skip();
        if (text[index] === "]") return [items, index + 1];
        continue;
      }
      if (text[index] === "]") return [items, index + 1];
      return unsupported();
    }
  }
  if (char === "{") {
    const map: Record<string, unknown> = {};
    index++;
    skip();
    if (text[index] === "}") return [map, index + 1];
    for (;;) {
      const [key, afterKey] = flowScalar(text, index, true);
      index = afterKey;
      skip();
      let value: unknown = null;
      if (text[index] === ":") {
        [value, index] = flowValue(text, index + 1);
        skip();
      }
      if (typeof key !== "string" && typeof key !== "number") unsupported();
      const name = String(key);
      if (Object.hasOwn(map, name)) unsupported();
      map[name] = value;
      if (text[index] === ",") {
        index++;
        skip();
        if (text[index] === "}") return [map, index + 1];
        continue;
      }
      if (text[index] === "}") return [map, index + 1];
      return unsupported();
    }
  }
  return flowScalar(text, index, false);
}

function flowScalar(text: string, start: number, isKey: boolean): [unknown, number] {
  const rest = text.slice(start);
  if (rest.startsWith("'") || rest.startsWith('"')) {
    const { value, rest: after } = quoted(rest);
    return [value, text.length - after.length];
  }
  const match = isKey ? /^[^,[\]{}:]*(:(?! |,|}|$)[^,[\]{}:]*)*/.exec(rest) : /^[^,[\]{}]*/.exec(rest);
  const raw = match![0];
  const plain = raw.trim();
  if (plain === "" && !isKey) unsupported();
  checkPlain(plain);
  if (!isKey && /:(\s|$)/.test(plain)) unsupported();
  return [isKey ? plain : resolvePlain(plain), start + raw.length];
}

/** Splits `key: rest` (or `key:`); undefined when the text is not a mapping entry. */
function splitKey(text: string): { key: string; rest: string } | undefined {
  if (text.startsWith("'") || text.startsWith('"')) {
    const { value, rest } = quoted(text);
    const after = /^\s*:(\s+|$)/.exec(rest);
    return after ? { key: value, rest: rest.slice(after[0].length) } : undefined;
  }
  if (text.startsWith("[") || text.startsWith("{")) return undefined;
  const match = /:(\s+|$)/.exec(text);
  if (!match) return undefined;
  const key = text.slice(0, match.index).trimEnd();
  if (key === "" || key.startsWith("? ")) unsupported();
  checkPlain(key);
  return { key, rest: text.slice(match.index + match[0].length) };
}

class Reader {
  private index = 0;
  readonly lines = new Map<string, number>();

  constructor(private readonly source: Line[]) {}

  private get current(): Line | undefined {
    return this.source[this.index];
  }

  parseDocument(): unknown {
    if (this.source.length === 0) return null;
    const value = this.block(this.source[0]!.indent, []);
    if (this.current) unsupported();
    return value;
  }

  private block(indent: number, path: string[]): unknown {
    const line = this.current!;
    if (line.text === "-" || line.text.startsWith("- ")) return this.sequence(indent, path);
    if (splitKey(stripComment(line.text))) return this.mapping(indent, path);
    this.index++;
    return this.scalar(stripComment(line.text), indent - 1);
  }

  private mapping(indent: number, path: string[]): Record<string, unknown> {
    const map: Record<string, unknown> = {};
    while (this.current && this.current.indent === indent) {
      const line = this.current;
      if (line.text === "-" || line.text.startsWith("- ")) unsupported();
      const entry = splitKey(stripComment(line.text));
      if (!entry) return unsupported();
      if (Object.hasOwn(map, entry.key)) unsupported();
      const here = [...path, entry.key];
      this.lines.set(here.join("\0"), line.number);
      this.index++;
      map[entry.key] = this.valueAfter(entry.rest, indent, here, true);
    }
    if (this.current && this.current.indent > indent) unsupported();
    return map;
  }

  /** The value after `key:` or `- ` at `indent`: inline, a nested block, or null. */
  private valueAfter(rest: string, indent: number, path: string[], inMapping: boolean): unknown {
    if (rest !== "") return this.scalar(rest, indent);
    const next = this.current;
    if (next && next.indent > indent) return this.block(next.indent, path);
    if (inMapping && next && next.indent === indent && (next.text === "-" || next.text.startsWith("- ")))
      return this.sequence(indent, path);
    return null;
  }

  private sequence(indent: number, path: string[]): unknown[] {
    const items: unknown[] = [];
    while (this.current && this.current.indent === indent) {
      const line = this.current;
      if (line.text !== "-" && !line.text.startsWith("- ")) break;
      const here = [...path, String(items.length)];
      this.lines.set(here.join("\0"), line.number);
      const body = line.text === "-" ? "" : line.text.slice(2);
      const offset = line.text.length - body.trimStart().length;
      const content = body.trimStart();
      if (content === "") {
        this.index++;
        items.push(this.valueAfter("", indent, here, false));
      } else if (content === "-" || content.startsWith("- ") || splitKey(stripComment(content))) {
        // A compact nested block: treat the rest of the line as a line of its own.
        this.source[this.index] = { indent: indent + offset, text: content, number: line.number };
        items.push(this.block(indent + offset, here));
      } else {
        this.index++;
        items.push(this.scalar(content, indent));
      }
    }
    return items;
  }

  /** A scalar or flow value that began on the previous line, with plain continuation lines. */
  private scalar(raw: string, indent: number): unknown {
    const text = stripComment(raw);
    if (text.startsWith("[") || text.startsWith("{")) {
      const [value, end] = flowValue(text, 0);
      if (text.slice(end).trim() !== "") unsupported();
      this.rejectContinuation(indent);
      return value;
    }
    if (text.startsWith("'") || text.startsWith('"')) {
      const { value, rest } = quoted(text);
      if (rest.trim() !== "") unsupported();
      this.rejectContinuation(indent);
      return value;
    }
    checkPlain(text);
    if (/:(\s|$)/.test(text) || text.includes(" #")) unsupported();
    let folded = text;
    while (this.current && this.current.indent > indent) {
      const next = stripComment(this.current.text);
      if (/:(\s|$)/.test(next) || next.startsWith("- ") || next.startsWith("#")) unsupported();
      folded += ` ${next}`;
      this.index++;
    }
    return folded === text ? resolvePlain(text) : folded;
  }

  private rejectContinuation(indent: number): void {
    if (this.current && this.current.indent > indent) unsupported();
  }
}

/** Parses `text`, or returns undefined when it uses YAML this reader does not handle. */
export function parseFastYaml(text: string): FastYaml | undefined {
  const lines: Line[] = [];
  const raw = text.split("\n");
  for (let index = 0; index < raw.length; index++) {
    let line = raw[index]!;
    if (line.endsWith("\r")) line = line.slice(0, -1);
    const content = line.trimStart();
    if (content === "" || content.startsWith("#")) continue;
    const indent = line.length - content.length;
    if (line.slice(0, indent).includes("\t")) return undefined;
    if (indent === 0 && (content.startsWith("---") || content.startsWith("...") || content.startsWith("%")))
      return undefined;
    lines.push({ indent, text: content.trimEnd(), number: index + 1 });
  }
  try {
    const reader = new Reader(lines);
    const value = reader.parseDocument();
    return { value, lines: reader.lines };
  } catch (error) {
    if (error instanceof Unsupported || error instanceof SyntaxError) return undefined;
    throw error;
  }
}
