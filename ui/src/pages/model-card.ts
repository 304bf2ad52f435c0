/**
 * @module ui/pages/model-card
 * One version's model card (`#/models/<name>/card/<version>`), as `lathe card model` writes it:
 * the YAML front matter in a collapsible block and the Markdown body drawn as elements. Every piece
 * of text becomes a text node (see ui/markdown), so descriptions written by users are never markup.
 */
import { modelCard, modelVersions } from "../api.js";
import { type Child, h, replace } from "../dom.js";
import { type Block, type Inline, parseMarkdown, splitFrontMatter } from "../markdown.js";

function inlineNode(node: Inline): Child {
  switch (node.kind) {
    case "text":
      return node.text;
    case "code":
      return h("code", {}, node.text);
    case "strong":
      return h("strong", {}, inlineNodes(node.children));
    case "em":
      return h("em", {}, inlineNodes(node.children));
    case "link":
      return node.href.startsWith("#")
        ? h("a", { href: node.href }, inlineNodes(node.children))
        : h("a", { href: node.href, rel: "noopener noreferrer nofollow" }, inlineNodes(node.children));
  }
}

function inlineNodes(nodes: readonly Inline[]): Child[] {
  return nodes.map(inlineNode);
}

function blockNode(block: Block): HTMLElement {
  switch (block.kind) {
    case "heading":
      return h(`h${block.level}`, {}, inlineNodes(block.content));
    case "paragraph":
      return h("p", {}, inlineNodes(block.content));
    case "quote":
      return h("blockquote", {}, h("p", {}, inlineNodes(block.content)));
    case "list":
      return h(
        block.ordered ? "ol" : "ul",
        {},
        block.items.map((item) => h("li", {}, inlineNodes(item))),
      );
    case "code":
      return h("pre.code", { "data-language": block.language || null }, block.text);
    case "rule":
      return h("hr");
    case "table": {
      const hasHeader = block.header.some((cell) => cell.length > 0);
      return h(
        "div.table-wrap",
        {},
        h(
          "table.data",
          {},
          hasHeader
            ? h(
                "thead",
                {},
                h(
                  "tr",
                  {},
                  block.header.map((cell) => h("th", { scope: "col" }, inlineNodes(cell))),
                ),
              )
            : null,
          h(
            "tbody",
            {},
            block.rows.map((row) =>
              h(
                "tr",
                {},
                row.map((cell, column) =>
                  column === 0 && !hasHeader
                    ? h("th", { scope: "row" }, inlineNodes(cell))
                    : h("td", {}, inlineNodes(cell)),
                ),
              ),
            ),
          ),
        ),
      );
    }
  }
}

/** The elements of a Markdown body, text only (no HTML is ever parsed). */
export function markdownNodes(text: string): HTMLElement[] {
  return parseMarkdown(text).map(blockNode);
}

export async function modelCardPage(root: HTMLElement, name: string, version: string): Promise<void> {
  // The card shows the version's source run, so its run is named for the server's access check.
  const source = (await modelVersions(name)).find((candidate) => candidate.version === version);
  const card = await modelCard(name, version, source?.run_id);
  const { frontMatter, body } = splitFrontMatter(card);
  const modelHref = `#/models/${encodeURIComponent(name)}`;
  replace(
    root,
    h(
      "header.page-head",
      {},
      h(
        "nav.crumbs",
        { "aria-label": "Breadcrumb" },
        h("a", { href: "#/models" }, "Models"),
        " / ",
        h("a", { href: modelHref }, name),
        ` / version ${version} / model card`,
      ),
    ),
    h(
      "section.card",
      { "aria-label": "Writing the card to a file" },
      h("p", {}, "Write this card to a file, e.g. the README.md of a Hugging Face repository, with:"),
      h("pre.code", {}, `lathe card model models:/${name}/${version} -o README.md`),
    ),
    h(
      "article.card.model-card",
      { "data-version": version },
      frontMatter === undefined
        ? null
        : h(
            "details.front-matter",
            {},
            h("summary", {}, "Front matter (YAML metadata for the Hugging Face Hub)"),
            h("pre.code", { "data-language": "yaml" }, frontMatter),
          ),
      h("div.markdown", {}, markdownNodes(body)),
    ),
  );
}
