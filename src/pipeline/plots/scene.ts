/**
 * @module pipeline/plots/scene
 * A laid-out plot as a list of shapes in pixel coordinates (origin top left, y down). The same
 * scene is written as SVG for the HTML page and rasterised for the PNG, so both show one picture.
 */

/** A colour as `#rrggbb` (or `none` for an unfilled rectangle). */
export type Color = string;

export type Shape =
  | { kind: "polyline"; points: readonly (readonly [number, number])[]; color: Color; width: number; dashed?: boolean }
  | { kind: "rect"; x: number; y: number; width: number; height: number; fill: Color; stroke?: Color }
  | { kind: "circle"; cx: number; cy: number; r: number; fill: Color }
  | {
      kind: "text";
      x: number;
      /** The baseline (the bottom of capitals). */
      y: number;
      text: string;
      /** Font size in pixels: 10 draws the bitmap font at scale 1, 20 at scale 2. */
      size: number;
      color: Color;
      anchor: "start" | "middle" | "end";
      /** Rotated a quarter turn counter-clockwise (reads bottom to top), about (x, y). */
      vertical?: boolean;
    };

export interface Scene {
  width: number;
  height: number;
  background: Color;
  shapes: Shape[];
}

/** Width in pixels of `text` at `size`, the same for SVG (monospace) and the bitmap font. */
export function textWidth(text: string, size: number): number {
  return [...text].length * fontScale(size) * 6;
}

/** Bitmap font scale for a font size. */
export function fontScale(size: number): number {
  return Math.max(1, Math.round(size / 10));
}
