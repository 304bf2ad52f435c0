/**
 * @module pipeline/plots/svg
 * A scene as an inline `<svg>` element: no scripts, no external references, monospace text so the
 * widths match what the layout measured.
 */
import { fontScale, type Scene, type Shape } from "./scene.js";

/** Escapes text for XML content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

function number(value: number): string {
  return String(Math.round(value * 100) / 100);
}

function shapeToSvg(shape: Shape): string {
  switch (shape.kind) {
    case "polyline":
      return `<polyline points="${shape.points.map(([x, y]) => `${number(x)},${number(y)}`).join(" ")}" fill="none" stroke="${shape.color}" stroke-width="${number(shape.width)}" stroke-linejoin="round"${shape.dashed ? ' stroke-dasharray="4 3"' : ""}/>`;
    case "rect":
      return `<rect x="${number(shape.x)}" y="${number(shape.y)}" width="${number(shape.width)}" height="${number(shape.height)}" fill="${shape.fill}"${shape.stroke ? ` stroke="${shape.stroke}"` : ""}/>`;
    case "circle":
      return `<circle cx="${number(shape.cx)}" cy="${number(shape.cy)}" r="${number(shape.r)}" fill="${shape.fill}"/>`;
    case "text": {
      // The bitmap font's capitals are 7 units tall per 6-unit advance; monospace at 10px matches that.
      const size = fontScale(shape.size) * 10;
      const rotate = shape.vertical ? ` transform="rotate(-90 ${number(shape.x)} ${number(shape.y)})"` : "";
      return `<text x="${number(shape.x)}" y="${number(shape.y)}" font-size="${size}" fill="${shape.color}" text-anchor="${shape.anchor}"${rotate}>${escapeXml(shape.text)}</text>`;
    }
  }
}

/** Writes `scene` as an SVG element, with `title` as its accessible name. */
export function sceneToSvg(scene: Scene, title: string): string {
  return [
    `<svg width="${scene.width}" height="${scene.height}" viewBox="0 0 ${scene.width} ${scene.height}" role="img" font-family="monospace">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect width="${scene.width}" height="${scene.height}" fill="${scene.background}"/>`,
    ...scene.shapes.map(shapeToSvg),
    "</svg>",
  ].join("\n");
}
