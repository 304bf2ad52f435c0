/**
 * @module pipeline/metrics/toml
 * The part of TOML that metrics and params files use: tables (`[a.b]`), arrays of tables
 * (`[[runs]]`), bare, quoted and dotted keys, basic and literal strings, integers, floats
 * (`inf`, `nan`), booleans, dates (kept as text), arrays and inline tables. Multi-line strings are
 * refused with a message saying so.
 */

type Table = Record<string, unknown>;

class Cursor {
  index = 0;
  constructor(readonly text: string) {}

  get done(): boolean {
    return this.index >= this.text.length;
  }

  peek(offset = 0): string {
    return this.text[this.index + offset] ?? "";
  }

  /** Line number of the cursor, for messages. */
  get line(): number {
    return this.text.slice(0, this.index).split("\n").length;
  }

  fail(message: string): never {
    throw new Error(`line ${this.line}: ${message}`);
  }

  /** Skips spaces and tabs, and with `newlines` also line ends and comments. */
  skip(newlines: boolean): void {
    for (;;) {
      const char = this.peek();
      if (char === " " || char === "\t" || (newlines && (char === "\n" || char === "\r"))) this.index += 1;
      else if (char === "#") while (!this.done && this.peek() !== "\n") this.index += 1;
      else return;
    }
  }

  expect(char: string): void {
    if (this.peek() !== char) this.fail(`expected '${char}' but found '${this.peek() || "end of file"}'`);
    this.index += 1;
  }
}

function readString(cursor: Cursor): string {
  const quote = cursor.peek();
  if (cursor.peek(1) === quote && cursor.peek(2) === quote)
    cursor.fail("multi-line strings are not supported; write the value on one line");
  cursor.index += 1;
  let value = "";
  for (;;) {
    const char = cursor.peek();
    if (char === "" || char === "\n") cursor.fail("string is not closed on its line");
    cursor.index += 1;
    if (char === quote) return value;
    if (char !== "\\" || quote === "'") {
      value += char;
      continue;
    }
    const escaped = cursor.peek();
    cursor.index += 1;
    const simple: Record<string, string> = { n: "\n", t: "\t", r: "\r", b: "\b", f: "\f", '"': '"', "\\": "\\" };
    if (escaped in simple) value += simple[escaped];
    else if (escaped === "u" || escaped === "U") {
      const length = escaped === "u" ? 4 : 8;
      const hex = cursor.text.slice(cursor.index, cursor.index + length);
      if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== length) cursor.fail("bad unicode escape");
      value += String.fromCodePoint(Number.parseInt(hex, 16));
      cursor.index += length;
    } else cursor.fail(`unknown escape "\\${escaped}"`);
  }
}

function readKey(cursor: Cursor): string[] {
  const parts: string[] = [];
  for (;;) {
    cursor.skip(false);
    const char = cursor.peek();
    if (char === '"' || char === "'") parts.push(readString(cursor));
    else {
      const match = /^[A-Za-z0-9_-]+/.exec(cursor.text.slice(cursor.index));
      if (!match) cursor.fail(`expected a key but found '${char || "end of file"}'`);
      parts.push(match[0]);
      cursor.index += match[0].length;
    }
    cursor.skip(false);
    if (cursor.peek() !== ".") return parts;
    cursor.index += 1;
  }
}

function readBareValue(cursor: Cursor): unknown {
  const match = /^[^\s,\]}#]+/.exec(cursor.text.slice(cursor.index));
  if (!match) cursor.fail(`expected a value but found '${cursor.peek() || "end of file"}'`);
  let word = match[0];
  // A date-time may hold one space between date and time.
  const time = /^ \d{2}:\d{2}/.exec(cursor.text.slice(cursor.index + word.length));
  if (/^\d{4}-\d{2}-\d{2}$/.test(word) && time) {
    const rest = /^ [^\s,\]}#]+/.exec(cursor.text.slice(cursor.index + word.length))!;
    word += rest[0];
  }
  cursor.index += word.length;
  if (word === "true") return true;
  if (word === "false") return false;
  if (/^[+-]?inf$/.test(word)) return word.startsWith("-") ? -Infinity : Infinity;
  if (/^[+-]?nan$/.test(word)) return Number.NaN;
  const digits = word.replaceAll("_", "");
  if (/^[+-]?0x[0-9a-fA-F]+$/.test(digits)) return Number.parseInt(digits, 16);
  if (/^[+-]?0o[0-7]+$/.test(digits)) return Number.parseInt(digits.replace("0o", ""), 8);
  if (/^[+-]?0b[01]+$/.test(digits)) return Number.parseInt(digits.replace("0b", ""), 2);
  if (/^[+-]?(\d+)(\.\d+)?([eE][+-]?\d+)?$/.test(digits)) return Number(digits);
  if (/^\d{4}-\d{2}-\d{2}/.test(word) || /^\d{2}:\d{2}/.test(word)) return word;
  return cursor.fail(`'${word}' is not a TOML value (strings need quotes)`);
}

function readValue(cursor: Cursor): unknown {
  const char = cursor.peek();
  if (char === '"' || char === "'") return readString(cursor);
  if (char === "[") {
    cursor.index += 1;
    const items: unknown[] = [];
    for (;;) {
      cursor.skip(true);
      if (cursor.peek() === "]") break;
      items.push(readValue(cursor));
      cursor.skip(true);
      if (cursor.peek() === ",") cursor.index += 1;
      else if (cursor.peek() !== "]") cursor.fail("expected ',' or ']' in an array");
    }
    cursor.index += 1;
    return items;
  }
  if (char === "{") {
    cursor.index += 1;
    const table: Table = {};
    cursor.skip(false);
    if (cursor.peek() === "}") {
      cursor.index += 1;
      return table;
    }
    for (;;) {
      const key = readKey(cursor);
      cursor.expect("=");
      cursor.skip(false);
      assign(cursor, table, key, readValue(cursor));
      cursor.skip(false);
      if (cursor.peek() === "}") break;
      cursor.expect(",");
    }
    cursor.index += 1;
    return table;
  }
  return readBareValue(cursor);
}

function isTable(value: unknown): value is Table {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Walks to (creating) the table at `path`; the last item of an array of tables stands for the array. */
function descend(cursor: Cursor, root: Table, path: readonly string[]): Table {
  let table = root;
  for (const part of path) {
    let next = table[part];
    if (next === undefined) {
      next = {};
      table[part] = next;
    }
    if (Array.isArray(next)) next = next[next.length - 1];
    if (!isTable(next)) cursor.fail(`'${path.join(".")}' is already a value, not a table`);
    table = next;
  }
  return table;
}

function assign(cursor: Cursor, root: Table, key: readonly string[], value: unknown): void {
  const table = descend(cursor, root, key.slice(0, -1));
  const last = key[key.length - 1]!;
  if (last in table) cursor.fail(`key '${key.join(".")}' is defined twice`);
  table[last] = value;
}

/** Parses TOML text; throws an Error naming the line on anything outside the supported subset. */
export function parseToml(text: string): Record<string, unknown> {
  const cursor = new Cursor(text);
  const root: Table = {};
  let current = root;
  for (;;) {
    cursor.skip(true);
    if (cursor.done) return root;
    if (cursor.peek() === "[") {
      const many = cursor.peek(1) === "[";
      cursor.index += many ? 2 : 1;
      const path = readKey(cursor);
      cursor.expect("]");
      if (many) {
        cursor.expect("]");
        const parent = descend(cursor, root, path.slice(0, -1));
        const last = path[path.length - 1]!;
        const list: unknown = parent[last] ?? [];
        if (!Array.isArray(list)) return cursor.fail(`'${path.join(".")}' is already a value, not an array of tables`);
        current = {};
        list.push(current);
        parent[last] = list;
      } else current = descend(cursor, root, path);
    } else {
      const key = readKey(cursor);
      cursor.expect("=");
      cursor.skip(false);
      assign(cursor, current, key, readValue(cursor));
    }
    cursor.skip(false);
    if (!cursor.done && cursor.peek() !== "\n" && cursor.peek() !== "\r")
      cursor.fail(`unexpected '${cursor.peek()}' after a value (one key per line)`);
  }
}
