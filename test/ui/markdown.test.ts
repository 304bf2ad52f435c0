/**
 * The web UI's Markdown reader (ui/src/markdown.ts), without a browser: the blocks and inline spans
 * of a model card, and that nothing in the text ever becomes markup — HTML stays text and only web,
 * mail and in-page links survive.
 */
import { describe, expect, it } from "vitest";
import { MODEL_CARD_TEMPLATE } from "../../src/cards/model-card.js";
import { type Block, isSafeLink, parseInline, parseMarkdown, splitFrontMatter } from "../../ui/src/markdown.js";

/** Every piece of text in the blocks, in order. */
function texts(blocks: readonly Block[]): string[] {
  return JSON.stringify(blocks)
    .match(/"text":"(?:[^"\\]|\\.)*"/g)!
    .map((match) => JSON.parse(match.slice(7)) as string);
}

describe("splitFrontMatter", () => {
  it("splits the YAML between the leading --- lines from the body", () => {
    expect(splitFrontMatter("---\nlicense: other\ntags:\n  - lathe\n---\n\n# Title\n")).toEqual({
      frontMatter: "license: other\ntags:\n  - lathe\n",
      body: "\n# Title\n",
    });
  });

  it("leaves a document without front matter, or with an unclosed one, whole", () => {
    expect(splitFrontMatter("# Title\n")).toEqual({ frontMatter: undefined, body: "# Title\n" });
    expect(splitFrontMatter("---\nlicense: other\n")).toEqual({
      frontMatter: undefined,
      body: "---\nlicense: other\n",
    });
  });
});

describe("parseMarkdown", () => {
  it("reads headings, paragraphs, lists, quotes, rules and fenced code", () => {
    const blocks = parseMarkdown(
      "# Iris (version 2)\n\nFirst line\nsecond line.\n\n- one\n- two\n  continued\n\n1. first\n2. second\n\n> quoted\n\n---\n\n```yaml\na: 1\n\nb: 2\n```\n",
    );
    expect(blocks).toEqual([
      { kind: "heading", level: 1, content: [{ kind: "text", text: "Iris (version 2)" }] },
      { kind: "paragraph", content: [{ kind: "text", text: "First line second line." }] },
      {
        kind: "list",
        ordered: false,
        items: [[{ kind: "text", text: "one" }], [{ kind: "text", text: "two continued" }]],
      },
      { kind: "list", ordered: true, items: [[{ kind: "text", text: "first" }], [{ kind: "text", text: "second" }]] },
      { kind: "quote", content: [{ kind: "text", text: "quoted" }] },
      { kind: "rule" },
      { kind: "code", language: "yaml", text: "a: 1\n\nb: 2" },
    ]);
  });

  it("reads tables, with escaped pipes and rows as wide as the header", () => {
    const [table] = parseMarkdown("| Metric | Value |\n|---|---:|\n| accuracy | 0.9 |\n| a\\|b |\n| x | y | z |\n");
    expect(table).toEqual({
      kind: "table",
      header: [[{ kind: "text", text: "Metric" }], [{ kind: "text", text: "Value" }]],
      rows: [
        [[{ kind: "text", text: "accuracy" }], [{ kind: "text", text: "0.9" }]],
        [[{ kind: "text", text: "a|b" }], []],
        [[{ kind: "text", text: "x" }], [{ kind: "text", text: "y" }]],
      ],
    });
  });

  it("reads the built-in model card template into its sections", () => {
    const blocks = parseMarkdown(MODEL_CARD_TEMPLATE);
    const headings = blocks.filter((block) => block.kind === "heading").map((block) => texts([block]).join(""));
    expect(headings).toEqual([
      "{{title}}",
      "Model details",
      "Intended use",
      "Training data",
      "Parameters",
      "Evaluation results",
      "Limitations",
      "Environmental impact",
    ]);
    const details = blocks.find((block) => block.kind === "table");
    expect(details?.kind === "table" && details.rows.length).toBe(8);
  });
});

describe("parseInline", () => {
  it("reads code, bold, italics, links and backslash escapes", () => {
    expect(
      parseInline("Run `abc` is **very *good* indeed** — see [docs](https://example.org/a?b=1) \\*not em\\*"),
    ).toEqual([
      { kind: "text", text: "Run " },
      { kind: "code", text: "abc" },
      { kind: "text", text: " is " },
      {
        kind: "strong",
        children: [
          { kind: "text", text: "very " },
          { kind: "em", children: [{ kind: "text", text: "good" }] },
          { kind: "text", text: " indeed" },
        ],
      },
      { kind: "text", text: " — see " },
      { kind: "link", href: "https://example.org/a?b=1", children: [{ kind: "text", text: "docs" }] },
      { kind: "text", text: " *not em*" },
    ]);
  });

  it("leaves metric names with underscores and lone asterisks as they are", () => {
    expect(parseInline("f1_macro and precision_weighted * 2")).toEqual([
      { kind: "text", text: "f1_macro and precision_weighted * 2" },
    ]);
  });
});

describe("escaping: text never becomes markup", () => {
  const hostile = [
    "<script>window.pwned = 1</script>",
    '<img src=x onerror="window.pwned = 2">',
    '<a href="javascript:alert(1)">click</a>',
  ];

  it("keeps HTML in paragraphs, headings, table cells, list items and code as text", () => {
    for (const html of hostile) {
      const blocks = parseMarkdown(
        `# ${html}\n\n${html}\n\n| ${html} |\n|---|\n| ${html} |\n\n- ${html}\n\n\`${html}\``,
      );
      expect(blocks.map((block) => block.kind)).toEqual(["heading", "paragraph", "table", "list", "paragraph"]);
      // The parser has no node for HTML, so the whole string survives as text wherever it was.
      const all = texts(blocks).join("\n");
      expect(all.split(html).length - 1, html).toBe(6);
    }
  });

  it("turns only web, mail and in-page targets into links; others stay text", () => {
    for (const href of ["https://hub.example/iris", "http://x.test", "mailto:ml@example.org", "#/models/iris"]) {
      expect(isSafeLink(href), href).toBe(true);
      expect(parseInline(`[go](${href})`)).toEqual([{ kind: "link", href, children: [{ kind: "text", text: "go" }] }]);
    }
    for (const href of [
      "javascript:alert(1)",
      "JavaScript:alert(1)",
      "data:text/html;base64,PHNjcmlwdD4=",
      "vbscript:x",
      "//evil.example/x",
      "file:///etc/passwd",
    ]) {
      expect(isSafeLink(href), href).toBe(false);
      expect(parseInline(`[go](${href})`)).toEqual([{ kind: "text", text: `[go](${href})` }]);
    }
  });
});
