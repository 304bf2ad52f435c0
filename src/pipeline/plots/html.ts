/**
 * @module pipeline/plots/html
 * The plots page: one self-contained HTML file with every chart as inline SVG and image plots as
 * `data:` URIs. No scripts, styles or fonts are fetched, so it opens offline and from any folder.
 */
import { escapeXml } from "./svg.js";

/** A chart's SVG, or an image plot's files per revision. */
export type PageItem =
  | { kind: "chart"; title: string; svg: string }
  | { kind: "image"; title: string; images: { revision: string; mime: string; bytes: Uint8Array }[] };

const STYLE = `body{font-family:system-ui,sans-serif;margin:24px;color:#222;background:#fafafa}
h1{font-size:20px}section{display:inline-block;vertical-align:top;margin:0 16px 24px 0;background:#fff;
border:1px solid #ddd;padding:8px}h2{font-size:14px;margin:0 0 8px;font-family:monospace}
figure{display:inline-block;margin:0 8px 0 0}img{max-width:600px}figcaption{font-size:12px;color:#666}`;

/** Writes the page for `items`. */
export function renderPage(title: string, items: readonly PageItem[]): string {
  const body = items.map((item) => {
    if (item.kind === "chart") return `<section>\n<h2>${escapeXml(item.title)}</h2>\n${item.svg}\n</section>`;
    const figures = item.images.map(
      (image) =>
        `<figure><img alt="${escapeXml(`${item.title} (${image.revision})`)}" src="data:${image.mime};base64,${Buffer.from(image.bytes).toString("base64")}"><figcaption>${escapeXml(image.revision)}</figcaption></figure>`,
    );
    return `<section>\n<h2>${escapeXml(item.title)}</h2>\n${figures.join("\n")}\n</section>`;
  });
  return [
    "<!DOCTYPE html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    `<title>${escapeXml(title)}</title>`,
    `<style>${STYLE}</style>`,
    "</head>",
    "<body>",
    `<h1>${escapeXml(title)}</h1>`,
    ...(items.length === 0 ? ["<p>No plots.</p>"] : body),
    "</body>",
    "</html>",
    "",
  ].join("\n");
}
