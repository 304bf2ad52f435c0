/**
 * @module ui/chart
 * Charts on uPlot: metric histories (one line per run, step / wall-time / relative-time axis,
 * exponential smoothing, log scale) and scatter plots. Colours come from the theme's CSS variables.
 */
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import type { Metric } from "./api.js";

export type XAxis = "step" | "time" | "relative";

export interface LineSeries {
  label: string;
  points: readonly Metric[];
}

export interface LineChartOptions {
  title: string;
  axis: XAxis;
  /** 0 (none) to 0.99: weight of the running average, as TensorBoard's slider. */
  smoothing: number;
  log: boolean;
  height?: number;
}

/** A colour for the n-th series, distinct for the first ten and readable on both themes. */
export function seriesColor(index: number): string {
  const palette = [
    "#2f7ed8",
    "#e4572e",
    "#17a398",
    "#f3a712",
    "#8e5ea2",
    "#c4475b",
    "#4c9f38",
    "#7a7a7a",
    "#2ab7ca",
    "#b5651d",
  ];
  return palette[index % palette.length]!;
}

function themeColor(name: string, fallback: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

/** Debiased exponential moving average (TensorBoard's smoothing). */
export function smooth(values: readonly number[], weight: number): number[] {
  if (weight <= 0) return [...values];
  const out: number[] = new Array(values.length);
  let last = 0;
  let count = 0;
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    if (!Number.isFinite(value)) {
      out[i] = value;
      continue;
    }
    last = last * weight + (1 - weight) * value;
    count++;
    out[i] = last / (1 - weight ** count);
  }
  return out;
}

function xOf(point: Metric, axis: XAxis, start: number): number {
  if (axis === "step") return point.step;
  if (axis === "time") return point.timestamp / 1000;
  return (point.timestamp - start) / 1000;
}

/** Aligns several series on the union of their x values (uPlot's data layout). */
function align(series: readonly LineSeries[], axis: XAxis, smoothing: number): uPlot.AlignedData {
  const perSeries = series.map((line) => {
    const start = line.points.reduce((min, point) => Math.min(min, point.timestamp), Number.POSITIVE_INFINITY);
    const sorted = [...line.points].sort(
      (a, b) => xOf(a, axis, start) - xOf(b, axis, start) || a.timestamp - b.timestamp,
    );
    const xs = sorted.map((point) => xOf(point, axis, start));
    const ys = smooth(
      sorted.map((point) => point.value),
      smoothing,
    );
    return { xs, ys };
  });
  if (perSeries.length === 1) return [perSeries[0]!.xs, perSeries[0]!.ys];
  const all = [...new Set(perSeries.flatMap((line) => line.xs))].sort((a, b) => a - b);
  const index = new Map(all.map((x, i) => [x, i]));
  const columns = perSeries.map((line) => {
    const column: (number | null)[] = new Array(all.length).fill(null);
    line.xs.forEach((x, i) => {
      column[index.get(x)!] = line.ys[i]!;
    });
    return column;
  });
  return [all, ...columns];
}

function axisStyle(): uPlot.Axis {
  const text = themeColor("--text-muted", "#666");
  const grid = themeColor("--grid", "#ddd");
  return { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
}

/** A chart that follows its container's width; `destroy()` when the page goes. */
export interface Chart {
  readonly plot: uPlot;
  destroy(): void;
}

function mount(container: HTMLElement, options: uPlot.Options, data: uPlot.AlignedData): Chart {
  const started = performance.now();
  let drawn = false;
  // A user-timing entry per chart, from creation to its first drawing (`lathe-chart <title>`): it shows in
  // the browser's profiler, and bench/ui.ts reads it.
  const measure = () => {
    if (drawn) return;
    drawn = true;
    performance.measure(`lathe-chart ${options.title ?? ""}`, { start: started, end: performance.now() });
  };
  const hooks = { ...options.hooks, draw: [...(options.hooks?.draw ?? []), measure] };
  const plot = new uPlot({ ...options, hooks, width: Math.max(container.clientWidth, 200) }, data, container);
  const observer = new ResizeObserver(() => {
    const width = Math.max(container.clientWidth, 200);
    if (Math.abs(width - plot.width) > 1) plot.setSize({ width, height: plot.height });
  });
  observer.observe(container);
  return {
    plot,
    destroy() {
      observer.disconnect();
      plot.destroy();
    },
  };
}

/** Draws metric histories as lines. */
export function lineChart(container: HTMLElement, series: readonly LineSeries[], options: LineChartOptions): Chart {
  const data = align(series, options.axis, options.smoothing);
  const positive = !options.log || series.every((line) => line.points.every((point) => point.value > 0));
  return mount(
    container,
    {
      title: options.title,
      width: 400,
      height: options.height ?? 240,
      scales: {
        x: { time: options.axis === "time" },
        y: positive && options.log ? { distr: 3, log: 10 } : {},
      },
      axes: [{ ...axisStyle() }, { ...axisStyle(), size: 60 }],
      series: [
        { label: options.axis === "step" ? "step" : options.axis === "time" ? "time" : "seconds" },
        ...series.map((line, index) => ({
          label: line.label,
          stroke: seriesColor(index),
          width: 1.5,
          spanGaps: true,
          // Points appear on their own when they are few (uPlot's density rule), so a lone value shows.
          points: { size: 6 },
        })),
      ],
      legend: { show: series.length > 1 },
      cursor: { drag: { x: true, y: false } },
    },
    data,
  );
}

/** Draws points `(x[i], y[i])` labelled by `labels[i]` (shown on hover). */
export function scatterChart(
  container: HTMLElement,
  points: readonly { x: number; y: number; label: string }[],
  names: { x: string; y: string },
): Chart {
  const sorted = [...points].sort((a, b) => a.x - b.x);
  const data: uPlot.AlignedData = [sorted.map((point) => point.x), sorted.map((point) => point.y)];
  return mount(
    container,
    {
      width: 400,
      height: 300,
      scales: { x: { time: false } },
      axes: [
        { ...axisStyle(), label: names.x },
        { ...axisStyle(), label: names.y, size: 60 },
      ],
      series: [
        { label: names.x },
        {
          label: names.y,
          stroke: seriesColor(0),
          fill: seriesColor(0),
          paths: () => null,
          points: { show: true, size: 8, fill: seriesColor(0) },
          value: (_plot, value, _series, index) =>
            index === null || value === null ? "" : `${value} (${sorted[index]?.label ?? ""})`,
        },
      ],
      legend: { show: true },
    },
    data,
  );
}
