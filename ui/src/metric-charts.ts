/**
 * @module ui/metric-charts
 * A grid of metric-history charts with shared controls: x axis (step, wall time, relative time),
 * smoothing and log scale. Used by the Run page (one run) and Compare (runs overlaid).
 */
import { type Chart, type LineSeries, lineChart, type XAxis } from "./chart.js";
import { h, replace } from "./dom.js";

export interface MetricCharts {
  readonly element: HTMLElement;
  destroy(): void;
}

/** `series` maps each metric key to its lines (one per run). */
export function metricCharts(series: ReadonlyMap<string, LineSeries[]>): MetricCharts {
  let charts: Chart[] = [];
  const state = { axis: "step" as XAxis, smoothing: 0, log: false };
  const grid = h("div.chart-grid");

  const axis = h(
    "select",
    { "aria-label": "X axis" },
    h("option", { value: "step" }, "Step"),
    h("option", { value: "time" }, "Wall time"),
    h("option", { value: "relative" }, "Relative time"),
  ) as HTMLSelectElement;
  const smoothing = h("input", {
    type: "range",
    min: 0,
    max: 0.99,
    step: 0.01,
    value: 0,
    "aria-label": "Smoothing",
  }) as HTMLInputElement;
  const smoothingValue = h("output", {}, "0");
  const log = h("input", { type: "checkbox", "aria-label": "Log scale" }) as HTMLInputElement;

  const draw = () => {
    for (const chart of charts) chart.destroy();
    charts = [];
    const cells: HTMLElement[] = [];
    for (const [key, lines] of series) {
      const cell = h("figure.chart", { "data-metric": key });
      cells.push(cell);
      if (lines.every((line) => line.points.length === 0)) cell.append(h("figcaption", {}, `${key}: no points`));
    }
    replace(grid, cells);
    let index = 0;
    for (const [key, lines] of series) {
      const cell = cells[index++]!;
      if (lines.every((line) => line.points.length === 0)) continue;
      charts.push(lineChart(cell, lines, { title: key, ...state }));
    }
  };

  axis.addEventListener("change", () => {
    state.axis = axis.value as XAxis;
    draw();
  });
  let timer = 0;
  smoothing.addEventListener("input", () => {
    smoothingValue.textContent = smoothing.value;
    window.clearTimeout(timer);
    timer = window.setTimeout(() => {
      state.smoothing = Number(smoothing.value);
      draw();
    }, 120);
  });
  log.addEventListener("change", () => {
    state.log = log.checked;
    draw();
  });

  const element = h(
    "section.metric-charts",
    {},
    h(
      "div.chart-controls",
      {},
      h("label", {}, "X axis ", axis),
      h("label", {}, "Smoothing ", smoothing, smoothingValue),
      h("label", {}, log, " Log scale"),
    ),
    grid,
  );
  // Drawn once attached, so each chart knows its width.
  requestAnimationFrame(draw);
  return {
    element,
    destroy() {
      for (const chart of charts) chart.destroy();
    },
  };
}

/** Runs `work` over `items` with at most `limit` in flight. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
