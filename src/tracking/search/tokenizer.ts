/**
 * @module tracking/search/tokenizer
 * A cursor over one filter or order_by string that reads a lexeme at a time. The search grammar is
 * context-sensitive (a dot splits an identifier but belongs to a number; `"x"` is a key left of the
 * operator and a string right of it), so the parser asks for the lexeme it expects next instead of
 * tokenizing up front. Every read moves strictly forward, so a parse is linear in the input length.
 */
import { invalidParameter, type LatheError } from "../../core/errors.js";

/** One part of an identifier: the type word or the key, with its offset in the source. */
export interface Segment {
  readonly text: string;
  readonly start: number;
  readonly quoted: boolean;
}

/** An identifier as written: `prefix.key` or a bare `key`, not yet checked against any entity. */
export interface RawIdentifier {
  readonly start: number;
  readonly end: number;
  readonly prefix: Segment | undefined;
  readonly key: Segment;
}

/** A comparison operator as written, upper-cased, with `NOT   IN` folded to `NOT IN`. */
export interface OperatorToken {
  readonly text: string;
  readonly start: number;
}

interface Located {
  /** The value exactly as written, for error messages. */
  readonly raw: string;
  readonly start: number;
}

export type ValueToken = Located &
  (
    | { readonly kind: "string"; readonly value: string }
    | { readonly kind: "number"; readonly value: number }
    | { readonly kind: "list"; readonly items: readonly string[] }
    /** Backticked or unquoted text is never a valid value; it is kept for a precise message. */
    | { readonly kind: "backtick" }
    | { readonly kind: "word" }
  );

const SNIPPET_LIMIT = 80;

/**
 * An INVALID_PARAMETER_VALUE error whose message ends with the offset and what belonged there.
 * `where` names the text in front of the position, e.g. `"in order_by[1] "`; empty for a filter.
 */
export function positionError(message: string, where: string, position: number, expected: string): LatheError {
  return invalidParameter(`${message} (${where}at position ${position}: expected ${expected})`);
}

/** Shortens user text quoted back in an error so a huge filter cannot make a huge message. */
export function clip(text: string): string {
  return text.length <= SNIPPET_LIMIT ? text : `${text.slice(0, SNIPPET_LIMIT)}...`;
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isAsciiLetter = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isSpace = (c: number): boolean =>
  c === 32 || (c >= 9 && c <= 13) || (c > 127 && /\s/.test(String.fromCharCode(c)));
// Non-ASCII counts as a word character so keys in any script work unquoted, as MLflow's `\w` allows.
const isWordStart = (c: number): boolean => isAsciiLetter(c) || c === 95 || (c > 127 && !isSpace(c));
// Keys may hold `-`, `.`, `/` and `:` unquoted, matching MLflow's key rule `^[/\w.\- :]*$` minus space.
const isWordChar = (c: number): boolean => isWordStart(c) || isDigit(c) || c === 45 || c === 46 || c === 47 || c === 58;
const isOperatorChar = (c: number): boolean => c === 60 || c === 61 || c === 62 || c === 33 || c === 126;

const DOT = 46;
const SQUOTE = 39;
const DQUOTE = 34;
const BACKTICK = 96;
const BACKSLASH = 92;

export class Scanner {
  pos = 0;

  /**
   * @param source the text being parsed
   * @param where prefix naming the text in error positions, e.g. `"in order_by[1] "`; empty for a filter
   */
  constructor(
    readonly source: string,
    private readonly where = "",
  ) {}

  /** An INVALID_PARAMETER_VALUE error located in this text; see {@link positionError}. */
  fail(message: string, position: number, expected: string): LatheError {
    return positionError(message, this.where, position, expected);
  }

  atEnd(): boolean {
    return this.pos >= this.source.length;
  }

  private code(at = this.pos): number {
    return at < this.source.length ? this.source.charCodeAt(at) : -1;
  }

  skipWhitespace(): void {
    while (this.pos < this.source.length && isSpace(this.source.charCodeAt(this.pos))) this.pos++;
  }

  /** Reads a run of word characters (a keyword such as AND or DESC, or an unquoted key). */
  readWord(): string | undefined {
    if (!isWordStart(this.code())) return undefined;
    const start = this.pos;
    while (isWordChar(this.code())) this.pos++;
    return this.source.slice(start, this.pos);
  }

  /** What sits at `at`, for quoting in an error: a whole word, a single character, or "end of input". */
  lexemeAt(at: number): string {
    if (at >= this.source.length) return "end of input";
    let end = at + 1;
    if (isWordChar(this.code(at))) while (isWordChar(this.code(end))) end++;
    return clip(this.source.slice(at, end));
  }

  /**
   * Reads a quoted run starting at the opening quote. Inside, the quote may be doubled (`'it''s'`) or
   * escaped with a backslash (`'it\'s'`), and `\\` is one backslash; any other backslash is kept as
   * written so LIKE patterns such as `'a\_b'` reach the store unchanged.
   */
  private readQuoted(): { text: string; start: number } {
    const start = this.pos;
    const quote = this.code();
    let text = "";
    let chunk = start + 1;
    let i = chunk;
    for (;;) {
      const c = this.code(i);
      if (c === -1) {
        const mark = String.fromCharCode(quote);
        throw this.fail(
          `Unterminated quoted text ${clip(this.source.slice(start))}`,
          this.source.length,
          `a closing ${mark} for the ${mark} at position ${start}`,
        );
      }
      if (c === BACKSLASH && (this.code(i + 1) === quote || this.code(i + 1) === BACKSLASH)) {
        text += this.source.slice(chunk, i);
        chunk = i + 1;
        i += 2;
      } else if (c === quote && this.code(i + 1) === quote) {
        text += this.source.slice(chunk, i + 1);
        i += 2;
        chunk = i;
      } else if (c === quote) {
        this.pos = i + 1;
        return { text: text + this.source.slice(chunk, i), start };
      } else {
        i++;
      }
    }
  }

  /** A type word or key: backticked, double-quoted, or a bare word (`anyStart` lets a key begin with a digit). */
  private readSegment(anyStart: boolean): Segment | undefined {
    const c = this.code();
    if (c === BACKTICK || c === DQUOTE) return { ...this.readQuoted(), quoted: true };
    if (!(anyStart ? isWordChar(c) : isWordStart(c))) return undefined;
    const start = this.pos;
    while (isWordChar(this.code())) this.pos++;
    return { text: this.source.slice(start, this.pos), start, quoted: false };
  }

  /**
   * Reads `type.key` or a bare key. An unquoted identifier splits at its first dot only, so
   * `metrics.val.loss` is type `metrics`, key `val.loss`. Returns undefined when no identifier starts here.
   */
  readIdentifier(): RawIdentifier | undefined {
    const start = this.pos;
    const first = this.readSegment(false);
    if (!first) return undefined;
    let prefix: Segment;
    if (first.quoted) {
      if (this.code() !== DOT) return { start, end: this.pos, prefix: undefined, key: first };
      this.pos++;
      prefix = first;
    } else {
      const dot = first.text.indexOf(".");
      if (dot < 0) return { start, end: this.pos, prefix: undefined, key: first };
      prefix = { text: first.text.slice(0, dot), start, quoted: false };
      const rest = first.text.slice(dot + 1);
      if (rest !== "") {
        return { start, end: this.pos, prefix, key: { text: rest, start: start + dot + 1, quoted: false } };
      }
      // `metrics.` directly followed by a quoted key, as in metrics.`my key`.
      if (this.code() !== BACKTICK && this.code() !== DQUOTE) {
        throw this.fail(`Invalid identifier '${clip(first.text)}'`, this.pos, `a key after '${clip(prefix.text)}.'`);
      }
    }
    const key = this.readSegment(true);
    if (!key) {
      throw this.fail(
        `Invalid identifier '${clip(this.source.slice(start, this.pos))}'`,
        this.pos,
        `a key after '${clip(prefix.text)}.'`,
      );
    }
    return { start, end: this.pos, prefix, key };
  }

  /** Reads a symbolic operator (`>=`, or nonsense such as `>>>`) or an operator word. */
  readOperator(): OperatorToken | undefined {
    const start = this.pos;
    if (isOperatorChar(this.code())) {
      while (isOperatorChar(this.code())) this.pos++;
      return { text: this.source.slice(start, this.pos), start };
    }
    const word = this.readWord()?.toUpperCase();
    if (word === undefined) return undefined;
    if (word !== "NOT") return { text: word, start };
    const afterNot = this.pos;
    this.skipWhitespace();
    const next = this.readWord()?.toUpperCase();
    if (next === undefined) this.pos = afterNot;
    return { text: next === undefined ? "NOT" : `NOT ${next}`, start };
  }

  /** Reads a quoted string, a number, a parenthesised list of strings, or a stray word. */
  readValue(): ValueToken | undefined {
    const start = this.pos;
    const c = this.code();
    if (c === SQUOTE || c === DQUOTE || c === BACKTICK) {
      const { text } = this.readQuoted();
      const raw = this.source.slice(start, this.pos);
      return c === BACKTICK ? { kind: "backtick", raw, start } : { kind: "string", value: text, raw, start };
    }
    if (c === 40) return this.readList();
    if (isDigit(c) || c === DOT || c === 45 || c === 43) return this.readNumber();
    const word = this.readWord();
    return word === undefined ? undefined : { kind: "word", raw: word, start };
  }

  /** Reads `[+-] digits [. digits] [e [+-] digits]`, also `.5` and `5.`; anything glued on is an error. */
  private readNumber(): ValueToken {
    const start = this.pos;
    let i = start;
    if (this.code(i) === 45 || this.code(i) === 43) i++;
    let digits = 0;
    const intStart = i;
    while (isDigit(this.code(i))) i++;
    digits += i - intStart;
    if (this.code(i) === DOT) {
      const fracStart = ++i;
      while (isDigit(this.code(i))) i++;
      digits += i - fracStart;
    }
    if (digits > 0 && (this.code(i) === 101 || this.code(i) === 69)) {
      let j = i + 1;
      if (this.code(j) === 45 || this.code(j) === 43) j++;
      if (isDigit(this.code(j))) {
        while (isDigit(this.code(j))) j++;
        i = j;
      }
    }
    let end = i;
    while (isWordChar(this.code(end))) end++;
    const raw = this.source.slice(start, end);
    if (digits === 0 || end !== i) {
      throw this.fail(`Invalid numeric value '${clip(raw)}'`, start, "a number such as 42, -0.5 or 1e-3");
    }
    this.pos = end;
    return { kind: "number", value: Number(raw), raw, start };
  }

  /** Reads `('a', "b", ...)`; a trailing comma is allowed, an empty list or a non-string item is not. */
  private readList(): ValueToken {
    const start = this.pos;
    const items: string[] = [];
    this.pos++;
    for (;;) {
      this.skipWhitespace();
      const c = this.code();
      if (c === SQUOTE || c === DQUOTE) {
        items.push(this.readQuoted().text);
      } else if (c === 41 && items.length > 0) {
        this.pos++;
        break;
      } else if (c === 41) {
        throw this.fail(
          "While parsing a list in the query, expected a non-empty list of string values, but got empty list",
          this.pos,
          "a quoted string",
        );
      } else {
        throw this.fail(
          `While parsing a list in the query, expected string value, punctuation, or whitespace, but got '${this.lexemeAt(this.pos)}'`,
          this.pos,
          items.length === 0 ? "a quoted string" : "a quoted string or ')'",
        );
      }
      this.skipWhitespace();
      if (this.code() === 44) {
        this.pos++;
      } else if (this.code() === 41) {
        this.pos++;
        break;
      } else {
        throw this.fail(
          "While parsing a list in the query, expected a non-empty list of string values, but got ill-formed list",
          this.pos,
          "',' or ')'",
        );
      }
    }
    return { kind: "list", items, raw: this.source.slice(start, this.pos), start };
  }
}
