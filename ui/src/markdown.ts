/**
 * @module ui/markdown
 * A small Markdown reader for the model cards Lathe writes: YAML front matter split off, then
 * headings, paragraphs, quotes, lists, fenced code, tables, rules, and inline code, bold, italics
 * and links. It yields a tree of blocks whose text is always plain text, never HTML: the page turns
 * it into elements with text nodes, so a `<script>` in a model's description shows as written.
 * Links keep only `http(s):`, `mailto:` and in-page `#` targets; any other link shows as its text.
 * This file touches no DOM, so it can be tested without a browser.
 */

export type Inline =
  | { readonly kind: "text"; readonly text: string }
  | { readonly kind: "code"; readonly text: string }
  | { readonly kind: "strong"; readonly children: readonly Inline[] }
  | { readonly kind: "em"; readonly children: readonly Inline[] }
  | { readonly kind: "link"; readonly href: string; readonly children: readonly Inline[] };

export type Block =
  | { readonly kind: "heading"; readonly level: 1 | 2 | 3 | 4 | 5 | 6; readonly content: readonly Inline[] }
  | { readonly kind: "paragraph"; readonly content: readonly Inline[] }
  | { readonly kind: "quote"; readonly content: readonly Inline[] }
  | { readonly kind: "list"; readonly ordered: boolean; readonly items: readonly (readonly Inline[])[] }
  | { readonly kind: "code"; readonly language: string; readonly text: string }
  | {
      readonly kind: "table";
      readonly header: readonly (readonly Inline[])[];
      readonly rows: readonly (readonly (readonly Inline[])[])[];
    }
  | { readonly kind: "rule" };

/** A document's YAML front matter (between the leading `---` lines, undefined when absent) and its body. */
export function splitFrontMatter(text: string): { frontMatter: string | undefined; body: string } {
  const normalised = text.replace(/\r\n?/g, "\n");
  if (!normalised.startsWith("---\n")) return { frontMatter: undefined, body: normalised };
  const end = normalised.indexOf("\n---\n", 3);
  if (end < 0) return { frontMatter: undefined, body: normalised };
  return { frontMatter: normalised.slice(4, end + 1), body: normalised.slice(end + 5) };
}

const SAFE_LINK = /^(https?:\/\/|mailto:|#)\S*$/i;

/** Whether a link target may become a link: web, mail and in-page addresses only (no `javascript:`). */
export function isSafeLink(href: string): boolean {
  return SAFE_LINK.test(href);
}

const ESCAPABLE = "\\`*_{}[]()#+-.!|<>~";

/** Parses inline Markdown: `code`, **bold**, *italics*, [links](https://…) and backslash escapes. */
export function parseInline(text: string): Inline[] {
  const out: Inline[] = [];
  let plain = "";
  const flush = () => {
    if (plain !== "") out.push({ kind: "text", text: plain });
    plain = "";
  };
  let index = 0;
  while (index < text.length) {
    const char = text[index]!;
    const next = text[index + 1];
    if (char === "\\" && next !== undefined && ESCAPABLE.includes(next)) {
      plain += next;
      index += 2;
      continue;
    }
    if (char === "`") {
      const ticks = /^`+/.exec(text.slice(index))![0];
      const close = text.indexOf(ticks, index + ticks.length);
      if (close > 0) {
        flush();
        out.push({ kind: "code", text: text.slice(index + ticks.length, close).trim() });
        index = close + ticks.length;
        continue;
      }
    }
    if (char === "*" && next === "*") {
      const close = text.indexOf("**", index + 2);
      if (close > index + 2) {
        flush();
        out.push({ kind: "strong", children: parseInline(text.slice(index + 2, close)) });
        index = close + 2;
        continue;
      }
    }
    if (char === "*" && next !== undefined && next !== " " && next !== "*") {
      const close = text.indexOf("*", index + 1);
      if (close > index + 1 && text[close - 1] !== " ") {
        flush();
        out.push({ kind: "em", children: parseInline(text.slice(index + 1, close)) });
        index = close + 1;
        continue;
      }
    }
    if (char === "[") {
      const link = /^\[([^\]]*)\]\(([^()\s]*)\)/.exec(text.slice(index));
      if (link) {
        const [whole, label = "", href = ""] = link;
        flush();
        if (isSafeLink(href)) out.push({ kind: "link", href, children: parseInline(label) });
        else out.push({ kind: "text", text: whole });
        index += whole.length;
        continue;
      }
    }
    plain += char;
    index += 1;
  }
  flush();
  return out;
}

const FENCE = /^(```+|~~~+)\s*([\w+-]*)\s*$/;
const HEADING = /^(#{1,6})\s+(.*?)\s*#*\s*$/;
const RULE = /^\s*([-*_])(\s*\1){2,}\s*$/;
const LIST_ITEM = /^\s*([-*+]|\d{1,9}[.)])\s+(.*)$/;
const TABLE_SEPARATOR = /^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$/;

/** Splits a table row on the `|` that are not escaped, dropping the outer ones. */
function tableCells(line: string): string[] {
  let row = line.trim();
  if (row.startsWith("|")) row = row.slice(1);
  if (row.endsWith("|") && !row.endsWith("\\|")) row = row.slice(0, -1);
  const cells: string[] = [];
  let cell = "";
  for (let index = 0; index < row.length; index++) {
    const char = row[index]!;
    if (char === "\\" && row[index + 1] === "|") {
      cell += "\\|";
      index += 1;
    } else if (char === "|") {
      cells.push(cell.trim());
      cell = "";
    } else cell += char;
  }
  cells.push(cell.trim());
  return cells;
}

function isTableStart(lines: readonly string[], index: number): boolean {
  const line = lines[index] ?? "";
  const next = lines[index + 1];
  return line.includes("|") && next?.includes("-") === true && TABLE_SEPARATOR.test(next);
}

/** Whether `line` begins a block other than a paragraph (so it ends the paragraph before it). */
function startsBlock(lines: readonly string[], index: number): boolean {
  const line = lines[index] ?? "";
  return (
    line.trim() === "" ||
    FENCE.test(line) ||
    HEADING.test(line) ||
    RULE.test(line) ||
    LIST_ITEM.test(line) ||
    line.startsWith(">") ||
    isTableStart(lines, index)
  );
}

/** Parses a Markdown body (without front matter) into blocks. */
export function parseMarkdown(text: string): Block[] {
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  const blocks: Block[] = [];
  let index = 0;
  while (index < lines.length) {
    const line = lines[index]!;
    if (line.trim() === "") {
      index += 1;
      continue;
    }
    const fence = FENCE.exec(line);
    if (fence) {
      const marker = fence[1]!;
      const body: string[] = [];
      index += 1;
      while (index < lines.length && !lines[index]!.trim().startsWith(marker)) body.push(lines[index++]!);
      index += 1;
      blocks.push({ kind: "code", language: fence[2] ?? "", text: body.join("\n") });
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      const level = heading[1]!.length as 1 | 2 | 3 | 4 | 5 | 6;
      blocks.push({ kind: "heading", level, content: parseInline(heading[2] ?? "") });
      index += 1;
      continue;
    }
    if (RULE.test(line)) {
      blocks.push({ kind: "rule" });
      index += 1;
      continue;
    }
    if (isTableStart(lines, index)) {
      const header = tableCells(line).map(parseInline);
      const rows: Inline[][][] = [];
      index += 2;
      while (index < lines.length && lines[index]!.includes("|") && lines[index]!.trim() !== "") {
        const cells = tableCells(lines[index]!).map(parseInline);
        // Rows are as wide as the header: short ones padded, long ones cut, as GitHub does.
        rows.push(header.map((_, column) => cells[column] ?? []));
        index += 1;
      }
      blocks.push({ kind: "table", header, rows });
      continue;
    }
    const item = LIST_ITEM.exec(line);
    if (item) {
      const ordered = /\d/.test(item[1]!);
      const items: string[] = [];
      while (index < lines.length) {
        const current = lines[index]!;
        const match = LIST_ITEM.exec(current);
        if (match) items.push(match[2] ?? "");
        else if (current.trim() !== "" && /^\s/.test(current) && items.length > 0)
          items[items.length - 1] += ` ${current.trim()}`;
        else break;
        index += 1;
      }
      blocks.push({ kind: "list", ordered, items: items.map(parseInline) });
      continue;
    }
    if (line.startsWith(">")) {
      const quoted: string[] = [];
      while (index < lines.length && lines[index]!.startsWith(">")) quoted.push(lines[index++]!.replace(/^>\s?/, ""));
      blocks.push({ kind: "quote", content: parseInline(quoted.join(" ").trim()) });
      continue;
    }
    const paragraph: string[] = [line.trim()];
    index += 1;
    while (index < lines.length && !startsBlock(lines, index)) paragraph.push(lines[index++]!.trim());
    blocks.push({ kind: "paragraph", content: parseInline(paragraph.join(" ")) });
  }
  return blocks;
}
