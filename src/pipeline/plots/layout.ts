/**
 * @module pipeline/plots/layout
 * Lays a chart out as a scene: title, axes with round-number ticks, grid, series (lines, points or
 * grouped bars), a legend when there is more than one series, and confusion matrices as heatmaps
 * with a count in each cell, one panel per revision and file.
 */
import type { Scalar } from "../metrics/values.js";
import type { Chart, ConfusionPanel, Series } from "./chart.js";
import type { Color, Scene, Shape } from "./scene.js";
import { textWidth } from "./scene.js";

const WIDTH = 640;
const HEIGHT = 400;
const MARGIN = { left: 72, right: 16, top: 44, bottom: 52 };
const LEGEND_WIDTH = 156;
const INK = "#333333";
const MUTED = "#777777";
const GRID = "#e8e8e8";
const PALETTE: readonly Color[] = [
  "#1f6fb2",
  "#e8741c",
  "#2e9e44",
  "#d63a3a",
  "#7b52ae",
  "#8c564b",
  "#d9479c",
  "#6b6b6b",
  "#a8a81f",
  "#17a2b8",
];

interface Box {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/** Round-number ticks covering [min, max], and the widened domain they span. */
export function niceTicks(min: number, max: number, count = 5): { ticks: number[]; low: number; high: number } {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return { ticks: [0, 1], low: 0, high: 1 };
  if (min === max) {
    const pad = min === 0 ? 1 : Math.abs(min) * 0.1;
    return niceTicks(min - pad, max + pad, count);
  }
  const raw = (max - min) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((factor) => factor * magnitude >= raw) ?? 10) * magnitude;
  const low = Math.floor(min / step) * step;
  const high = Math.ceil(max / step) * step;
  const ticks: number[] = [];
  for (let value = low; value <= high + step / 2; value += step) ticks.push(Number(value.toPrecision(12)));
  return { ticks, low, high };
}

function tickLabel(value: number): string {
  if (value !== 0 && (Math.abs(value) >= 1e6 || Math.abs(value) < 1e-3)) return value.toExponential(1);
  return String(Number(value.toPrecision(6)));
}

function clip(text: string, width: number, size = 10): string {
  const fits = Math.floor(width / textWidth("x", size));
  return [...text].length <= fits ? text : `${[...text].slice(0, Math.max(1, fits - 1)).join("")}…`;
}

function label(x: number, y: number, text: string, options: Partial<Extract<Shape, { kind: "text" }>> = {}): Shape {
  return { kind: "text", x, y, text, size: 10, color: INK, anchor: "middle", ...options };
}

function frame(chart: Chart, legend: boolean): { shapes: Shape[]; box: Box } {
  const box: Box = {
    left: MARGIN.left,
    top: MARGIN.top,
    right: WIDTH - MARGIN.right - (legend ? LEGEND_WIDTH : 0),
    bottom: HEIGHT - MARGIN.bottom,
  };
  const titleSize = textWidth(chart.title, 20) <= WIDTH - 20 ? 20 : 10;
  const shapes: Shape[] = [
    label(WIDTH / 2, 26, clip(chart.title, WIDTH - 20, titleSize), { size: titleSize }),
    label((box.left + box.right) / 2, HEIGHT - 12, clip(chart.xLabel, box.right - box.left)),
    label(18, (box.top + box.bottom) / 2, clip(chart.yLabel, box.bottom - box.top), { vertical: true }),
  ];
  return { shapes, box };
}

function legendShapes(series: readonly Series[], box: Box): Shape[] {
  const x = box.right + 16;
  return series.slice(0, 16).flatMap((item, index): Shape[] => {
    const y = box.top + 8 + index * 16;
    return [
      { kind: "rect", x, y: y - 7, width: 10, height: 8, fill: PALETTE[index % PALETTE.length]! },
      label(x + 16, y, clip(item.label, LEGEND_WIDTH - 36), { anchor: "start" }),
    ];
  });
}

/** A linear scale for numbers or a band scale for anything else, along one axis. */
interface Axis {
  position(value: Scalar): number | undefined;
  shapes(box: Box, horizontal: boolean): Shape[];
  band: number;
}

function numericAxis(values: readonly number[], from: number, to: number, includeZero: boolean): Axis {
  const all = includeZero ? [...values, 0] : values;
  const { ticks, low, high } = niceTicks(Math.min(...all), Math.max(...all));
  const scale = (value: number) => from + ((value - low) / (high - low)) * (to - from);
  return {
    band: 0,
    position: (value) => (typeof value === "number" && Number.isFinite(value) ? scale(value) : undefined),
    shapes: (box, horizontal) =>
      ticks.flatMap((tick): Shape[] => {
        const at = scale(tick);
        return horizontal
          ? [
              {
                kind: "polyline",
                points: [
                  [at, box.top],
                  [at, box.bottom],
                ],
                color: GRID,
                width: 1,
              },
              label(at, box.bottom + 16, tickLabel(tick), { color: MUTED }),
            ]
          : [
              {
                kind: "polyline",
                points: [
                  [box.left, at],
                  [box.right, at],
                ],
                color: GRID,
                width: 1,
              },
              label(box.left - 6, at + 4, tickLabel(tick), { color: MUTED, anchor: "end" }),
            ];
      }),
  };
}

function bandAxis(categories: readonly string[], from: number, to: number): Axis {
  const band = (to - from) / Math.max(categories.length, 1);
  const index = new Map(categories.map((category, position) => [category, position]));
  const every = Math.max(1, Math.ceil((categories.length * 14) / Math.abs(to - from)));
  return {
    band: Math.abs(band),
    position: (value) => {
      const found = index.get(String(value));
      return found === undefined ? undefined : from + band * (found + 0.5);
    },
    shapes: (box, horizontal) =>
      categories.flatMap((category, position): Shape[] => {
        if (position % every !== 0) return [];
        const at = from + band * (position + 0.5);
        return horizontal
          ? [label(at, box.bottom + 16, clip(category, Math.max(Math.abs(band), 30)), { color: MUTED })]
          : [label(box.left - 6, at + 4, clip(category, MARGIN.left - 10), { color: MUTED, anchor: "end" })];
      }),
  };
}

function axisFor(values: readonly Scalar[], from: number, to: number, includeZero = false): Axis {
  const present = values.filter((value) => value !== null);
  if (present.length > 0 && present.every((value) => typeof value === "number"))
    return numericAxis(present as number[], from, to, includeZero);
  return bandAxis([...new Set(present.map(String))], from, to);
}

function axisLines(box: Box): Shape[] {
  return [
    {
      kind: "polyline",
      points: [
        [box.left, box.top],
        [box.left, box.bottom],
        [box.right, box.bottom],
      ],
      color: MUTED,
      width: 1,
    },
  ];
}

function lineOrScatter(chart: Chart, box: Box): Shape[] {
  const points = chart.series.flatMap((item) => item.points);
  const x = axisFor(
    points.map((point) => point.x),
    box.left,
    box.right,
  );
  const y = axisFor(
    points.map((point) => point.y),
    box.bottom,
    box.top,
  );
  const shapes: Shape[] = [...x.shapes(box, true), ...y.shapes(box, false), ...axisLines(box)];
  chart.series.forEach((item, index) => {
    const color = PALETTE[index % PALETTE.length]!;
    const placed = item.points.flatMap((point): [number, number][] => {
      const px = x.position(point.x);
      const py = y.position(point.y);
      return px === undefined || py === undefined ? [] : [[px, py]];
    });
    if (chart.kind === "scatter" || placed.length === 1)
      for (const [cx, cy] of placed) shapes.push({ kind: "circle", cx, cy, r: 3, fill: color });
    else if (placed.length > 1) shapes.push({ kind: "polyline", points: placed, color, width: 2 });
  });
  return shapes;
}

function bars(chart: Chart, box: Box): Shape[] {
  const horizontal = chart.kind === "bar_horizontal";
  const categories = [...new Set(chart.series.flatMap((item) => item.points.map((point) => String(point.x))))];
  const values = chart.series.flatMap((item) => item.points.map((point) => point.y));
  const category = horizontal ? bandAxis(categories, box.top, box.bottom) : bandAxis(categories, box.left, box.right);
  const value = horizontal ? axisFor(values, box.left, box.right, true) : axisFor(values, box.bottom, box.top, true);
  const zero = value.position(0) ?? (horizontal ? box.left : box.bottom);
  const shapes: Shape[] = [...category.shapes(box, !horizontal), ...value.shapes(box, horizontal), ...axisLines(box)];
  const thickness = (category.band * 0.8) / Math.max(chart.series.length, 1);
  chart.series.forEach((item, index) => {
    const fill = PALETTE[index % PALETTE.length]!;
    for (const point of item.points) {
      const center = category.position(String(point.x));
      const end = value.position(point.y);
      if (center === undefined || end === undefined) continue;
      const offset = center - category.band * 0.4 + index * thickness;
      shapes.push(
        horizontal
          ? { kind: "rect", x: Math.min(zero, end), y: offset, width: Math.abs(end - zero), height: thickness, fill }
          : { kind: "rect", x: offset, y: Math.min(zero, end), width: thickness, height: Math.abs(end - zero), fill },
      );
    }
  });
  return shapes;
}

function mix(low: number, high: number, t: number): string {
  return Math.round(low + (high - low) * t)
    .toString(16)
    .padStart(2, "0");
}

/** White to deep blue. */
function heat(t: number): Color {
  return `#${mix(0xf4, 0x0b, t)}${mix(0xf8, 0x3d, t)}${mix(0xfc, 0x91, t)}`;
}

function confusion(panels: readonly ConfusionPanel[], box: Box): Shape[] {
  const shapes: Shape[] = [];
  const gap = 24;
  const panelWidth = (box.right - box.left - gap * (panels.length - 1)) / Math.max(panels.length, 1);
  panels.forEach((panel, index) => {
    const size = panel.xValues.length;
    const cell = Math.max(1, Math.min(panelWidth / size, (box.bottom - box.top - 16) / size));
    const left = box.left + index * (panelWidth + gap);
    const top = box.top + 16;
    const max = Math.max(1e-12, ...panel.cells.flat());
    shapes.push(label(left + (cell * size) / 2, box.top + 8, clip(panel.label, panelWidth)));
    panel.cells.forEach((row, y) => {
      row.forEach((count, x) => {
        const t = count / max;
        shapes.push({ kind: "rect", x: left + x * cell, y: top + y * cell, width: cell, height: cell, fill: heat(t) });
        const text = Number.isInteger(count) ? String(count) : count.toFixed(2);
        if (textWidth(text, 10) <= cell - 2 && cell >= 12)
          shapes.push(
            label(left + (x + 0.5) * cell, top + (y + 0.5) * cell + 4, text, { color: t > 0.5 ? "#ffffff" : INK }),
          );
      });
    });
    shapes.push({
      kind: "rect",
      x: left,
      y: top,
      width: cell * size,
      height: cell * size,
      fill: "none",
      stroke: MUTED,
    });
    const every = Math.max(1, Math.ceil(14 / cell));
    panel.xValues.forEach((name, x) => {
      if (x % every === 0)
        shapes.push(
          label(left + (x + 0.5) * cell, top + size * cell + 14, clip(name, Math.max(cell, 24)), { color: MUTED }),
        );
    });
    if (index === 0)
      panel.yValues.forEach((name, y) => {
        if (y % every === 0)
          shapes.push(
            label(left - 6, top + (y + 0.5) * cell + 4, clip(name, MARGIN.left - 30), { color: MUTED, anchor: "end" }),
          );
      });
  });
  return shapes;
}

/** Lays `chart` out on a 640×400 canvas. */
export function layoutChart(chart: Chart): Scene {
  const isConfusion = chart.kind === "confusion";
  const legend = !isConfusion && chart.series.length > 1;
  const { shapes, box } = frame(chart, legend);
  const empty = isConfusion ? chart.panels.length === 0 : chart.series.every((item) => item.points.length === 0);
  if (empty) {
    shapes.push(
      ...axisLines(box),
      label((box.left + box.right) / 2, (box.top + box.bottom) / 2, "no data", { color: MUTED }),
    );
  } else if (isConfusion) shapes.push(...confusion(chart.panels, box));
  else if (chart.kind === "bar_vertical" || chart.kind === "bar_horizontal") shapes.push(...bars(chart, box));
  else shapes.push(...lineOrScatter(chart, box));
  if (legend) shapes.push(...legendShapes(chart.series, box));
  return { width: WIDTH, height: HEIGHT, background: "#ffffff", shapes };
}
