/**
 * @module pipeline/plots/raster
 * Draws a scene into an RGB pixel buffer: filled rectangles and discs, thick polylines (a round
 * brush stamped along each segment) and bitmap-font text. No anti-aliasing; plots are mostly
 * axis-aligned and the PNG is a preview beside the SVG.
 */
import { ADVANCE, GLYPH_HEIGHT, GLYPH_WIDTH, glyphRows } from "./font.js";
import { type Color, fontScale, type Scene, type Shape, textWidth } from "./scene.js";

/** An RGB image, three bytes a pixel, rows top to bottom. */
export interface RgbImage {
  width: number;
  height: number;
  pixels: Uint8Array;
}

function parseColor(color: Color): [number, number, number] {
  const hex = /^#([0-9a-f]{6})$/i.exec(color)?.[1] ?? "000000";
  return [
    Number.parseInt(hex.slice(0, 2), 16),
    Number.parseInt(hex.slice(2, 4), 16),
    Number.parseInt(hex.slice(4), 16),
  ];
}

class Canvas {
  readonly pixels: Uint8Array;

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.pixels = new Uint8Array(width * height * 3);
  }

  set(x: number, y: number, rgb: readonly [number, number, number]): void {
    const px = Math.round(x);
    const py = Math.round(y);
    if (px < 0 || py < 0 || px >= this.width || py >= this.height) return;
    const offset = (py * this.width + px) * 3;
    this.pixels[offset] = rgb[0];
    this.pixels[offset + 1] = rgb[1];
    this.pixels[offset + 2] = rgb[2];
  }

  fillRect(x: number, y: number, width: number, height: number, rgb: readonly [number, number, number]): void {
    const x0 = Math.max(0, Math.round(x));
    const y0 = Math.max(0, Math.round(y));
    const x1 = Math.min(this.width, Math.round(x + width));
    const y1 = Math.min(this.height, Math.round(y + height));
    for (let py = y0; py < y1; py++) for (let px = x0; px < x1; px++) this.set(px, py, rgb);
  }

  disc(cx: number, cy: number, r: number, rgb: readonly [number, number, number]): void {
    if (r <= 0.75) {
      this.set(cx, cy, rgb);
      return;
    }
    for (let dy = -Math.ceil(r); dy <= Math.ceil(r); dy++)
      for (let dx = -Math.ceil(r); dx <= Math.ceil(r); dx++)
        if (dx * dx + dy * dy <= r * r) this.set(cx + dx, cy + dy, rgb);
  }

  segment(
    [x0, y0]: readonly [number, number],
    [x1, y1]: readonly [number, number],
    width: number,
    rgb: readonly [number, number, number],
    dashed: boolean,
  ): void {
    const length = Math.hypot(x1 - x0, y1 - y0);
    const steps = Math.max(1, Math.ceil(length * 2));
    for (let step = 0; step <= steps; step++) {
      const t = step / steps;
      if (dashed && Math.floor((t * length) / 4) % 2 === 1) continue;
      this.disc(x0 + (x1 - x0) * t, y0 + (y1 - y0) * t, width / 2, rgb);
    }
  }

  text(shape: Extract<Shape, { kind: "text" }>, rgb: readonly [number, number, number]): void {
    const scale = fontScale(shape.size);
    const width = textWidth(shape.text, shape.size);
    const shift = shape.anchor === "middle" ? width / 2 : shape.anchor === "end" ? width : 0;
    [...shape.text].forEach((character, index) => {
      const rows = glyphRows(character);
      rows.forEach((mask, row) => {
        for (let column = 0; column < GLYPH_WIDTH; column++) {
          if ((mask & (1 << (GLYPH_WIDTH - 1 - column))) === 0) continue;
          // Position along the text (u) and below the baseline (v, negative above it).
          const u = index * ADVANCE * scale + column * scale - shift;
          const v = (row - GLYPH_HEIGHT) * scale;
          const [x, y] = shape.vertical ? [shape.x + v, shape.y - u - scale] : [shape.x + u, shape.y + v];
          this.fillRect(Math.round(x), Math.round(y), scale, scale, rgb);
        }
      });
    });
  }
}

/** Rasterises `scene` at its own size. */
export function rasterize(scene: Scene): RgbImage {
  const canvas = new Canvas(Math.round(scene.width), Math.round(scene.height));
  canvas.fillRect(0, 0, canvas.width, canvas.height, parseColor(scene.background));
  for (const shape of scene.shapes) {
    switch (shape.kind) {
      case "rect": {
        if (shape.fill !== "none") canvas.fillRect(shape.x, shape.y, shape.width, shape.height, parseColor(shape.fill));
        if (shape.stroke) {
          const stroke = parseColor(shape.stroke);
          const { x, y, width, height } = shape;
          const corners: [number, number][] = [
            [x, y],
            [x + width, y],
            [x + width, y + height],
            [x, y + height],
            [x, y],
          ];
          for (let index = 1; index < corners.length; index++)
            canvas.segment(corners[index - 1]!, corners[index]!, 1, stroke, false);
        }
        break;
      }
      case "circle":
        canvas.disc(shape.cx, shape.cy, shape.r, parseColor(shape.fill));
        break;
      case "polyline": {
        const rgb = parseColor(shape.color);
        if (shape.points.length === 1) canvas.disc(shape.points[0]![0], shape.points[0]![1], shape.width / 2, rgb);
        for (let index = 1; index < shape.points.length; index++)
          canvas.segment(shape.points[index - 1]!, shape.points[index]!, shape.width, rgb, shape.dashed === true);
        break;
      }
      case "text":
        canvas.text(shape, parseColor(shape.color));
        break;
    }
  }
  return { width: canvas.width, height: canvas.height, pixels: canvas.pixels };
}
