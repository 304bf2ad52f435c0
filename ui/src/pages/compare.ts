/**
 * @module ui/pages/compare
 * Compare 2–20 runs: a params/metrics table with differing rows highlighted, metric histories
 * overlaid, parallel coordinates over the numeric params and metrics, and a scatter of any two.
 */
import { getRun, lookup, metricHistory, type Run } from "../api.js";
import { type Chart, scatterChart, seriesColor } from "../chart.js";
import { formatNumber, h, notice, replace, svg } from "../dom.js";
import { mapLimit, metricCharts } from "../metric-charts.js";
import type { Page } from "../router.js";

interface Dimension {
  id: string;
  label: string;
  values: (number | undefined)[];
}

function runLabel(run: Run): string {
  return run.info.run_name ?? run.info.run_id.slice(0, 8);
}

/** Numeric params and every metric, as dimensions over the runs. */
function numericDimensions(runs: readonly Run[]): Dimension[] {
  const dimensions: Dimension[] = [];
  const paramKeys = [...new Set(runs.flatMap((run) => (run.data.params ?? []).map((param) => param.key)))].sort();
  for (const key of paramKeys) {
    const raw = runs.map((run) => lookup(run.data.params, key));
    const values = raw.map((value) => (value === undefined || value.trim() === "" ? undefined : Number(value)));
    if (values.some((value) => value !== undefined && Number.isNaN(value))) continue;
    if (values.every((value) => value === undefined)) continue;
    dimensions.push({ id: `params.${key}`, label: `params.${key}`, values });
  }
  const metricKeys = [...new Set(runs.flatMap((run) => (run.data.metrics ?? []).map((metric) => metric.key)))].sort();
  for (const key of metricKeys) {
    dimensions.push({
      id: `metrics.${key}`,
      label: `metrics.${key}`,
      values: runs.map((run) => run.data.metrics?.find((metric) => metric.key === key)?.value),
    });
  }
  return dimensions;
}

function comparisonTable(runs: readonly Run[]): HTMLElement {
  const rows: { group: string; key: string; values: string[] }[] = [];
  const paramKeys = [...new Set(runs.flatMap((run) => (run.data.params ?? []).map((param) => param.key)))].sort();
  for (const key of paramKeys)
    rows.push({ group: "param", key, values: runs.map((run) => lookup(run.data.params, key) ?? "") });
  const metricKeys = [...new Set(runs.flatMap((run) => (run.data.metrics ?? []).map((metric) => metric.key)))].sort();
  for (const key of metricKeys)
    rows.push({
      group: "metric",
      key,
      values: runs.map((run) => formatNumber(run.data.metrics?.find((metric) => metric.key === key)?.value)),
    });
  const onlyDiff = h("input", { type: "checkbox", "aria-label": "Show only differences" }) as HTMLInputElement;
  const table = h(
    "table.data.compare-table",
    {},
    h("caption", {}, "Params and metrics (differences highlighted)"),
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        h("th", { scope: "col" }, "Key"),
        runs.map((run) =>
          h("th", { scope: "col" }, h("a", { href: `#/runs/${encodeURIComponent(run.info.run_id)}` }, runLabel(run))),
        ),
      ),
    ),
    h(
      "tbody",
      {},
      rows.map((row) => {
        const differs = new Set(row.values).size > 1;
        return h(
          "tr",
          { class: differs ? "differs" : "same", "data-key": `${row.group}:${row.key}` },
          h("th", { scope: "row" }, h("span.muted", {}, `${row.group} `), row.key),
          row.values.map((value) => h("td", {}, value)),
        );
      }),
    ),
  );
  onlyDiff.addEventListener("change", () => table.classList.toggle("only-differences", onlyDiff.checked));
  return h("div", {}, h("label.inline", {}, onlyDiff, " Only rows that differ"), h("div.table-wrap", {}, table));
}

function parallelCoordinates(runs: readonly Run[], dimensions: readonly Dimension[]): Element {
  const shown = dimensions.slice(0, 10);
  if (shown.length < 2) return notice("Parallel coordinates need at least two numeric params or metrics.");
  const width = Math.max(480, shown.length * 130);
  const height = 320;
  const top = 30;
  const bottom = height - 30;
  const x = (index: number) => 60 + (index * (width - 120)) / (shown.length - 1);
  const scaled = shown.map((dimension) => {
    const defined = dimension.values.filter((value): value is number => value !== undefined && Number.isFinite(value));
    const min = Math.min(...defined);
    const max = Math.max(...defined);
    return {
      dimension,
      min,
      max,
      y: (value: number) =>
        max === min ? (top + bottom) / 2 : bottom - ((value - min) / (max - min)) * (bottom - top),
    };
  });
  const chart = svg("svg", {
    viewBox: `0 0 ${width} ${height}`,
    class: "parallel",
    role: "img",
    "aria-label": "Parallel coordinates",
  });
  runs.forEach((run, runIndex) => {
    const points: string[] = [];
    scaled.forEach((axis, index) => {
      const value = axis.dimension.values[runIndex];
      if (value !== undefined && Number.isFinite(value)) points.push(`${x(index)},${axis.y(value)}`);
    });
    const line = svg("polyline", {
      points: points.join(" "),
      fill: "none",
      stroke: seriesColor(runIndex),
      "stroke-width": 2,
    });
    const title = svg("title");
    title.textContent = runLabel(run);
    line.appendChild(title);
    chart.appendChild(line);
  });
  scaled.forEach((axis, index) => {
    chart.appendChild(svg("line", { x1: x(index), x2: x(index), y1: top, y2: bottom, class: "axis" }));
    const label = svg("text", { x: x(index), y: top - 10, "text-anchor": "middle", class: "axis-label" });
    label.textContent = axis.dimension.label.replace(/^(params|metrics)\./, "");
    const high = svg("text", { x: x(index) + 4, y: top + 4, class: "tick" });
    high.textContent = formatNumber(axis.max);
    const low = svg("text", { x: x(index) + 4, y: bottom, class: "tick" });
    low.textContent = formatNumber(axis.min);
    chart.append(label, high, low);
  });
  const legend = h(
    "ul.legend",
    {},
    runs.map((run, index) =>
      h("li", {}, h("span.swatch", { style: `background:${seriesColor(index)}` }), runLabel(run)),
    ),
  );
  return h("div.parallel-wrap", {}, chart, legend);
}

function scatter(runs: readonly Run[], dimensions: readonly Dimension[]): { element: HTMLElement; destroy(): void } {
  let chart: Chart | undefined;
  if (dimensions.length < 2) return { element: notice("A scatter needs two numeric values."), destroy() {} };
  const select = (label: string, initial: number) => {
    const element = h(
      "select",
      { "aria-label": label },
      dimensions.map((dimension, index) => h("option", { value: index, selected: index === initial }, dimension.label)),
    ) as HTMLSelectElement;
    element.addEventListener("change", draw);
    return element;
  };
  const xSelect = select("Scatter X", 0);
  const ySelect = select("Scatter Y", dimensions.length - 1);
  const plot = h("div.scatter");
  function draw(): void {
    chart?.destroy();
    const xd = dimensions[Number(xSelect.value)]!;
    const yd = dimensions[Number(ySelect.value)]!;
    const points = runs
      .map((run, index) => ({ x: xd.values[index], y: yd.values[index], label: runLabel(run) }))
      .filter(
        (point): point is { x: number; y: number; label: string } => point.x !== undefined && point.y !== undefined,
      );
    replace(plot);
    chart = scatterChart(plot, points, { x: xd.label, y: yd.label });
  }
  requestAnimationFrame(draw);
  return {
    element: h(
      "div",
      {},
      h("div.chart-controls", {}, h("label", {}, "X ", xSelect), h("label", {}, "Y ", ySelect)),
      plot,
    ),
    destroy: () => chart?.destroy(),
  };
}

export const comparePage: Page = async (root, route) => {
  const ids = [
    ...new Set(
      (route.query.get("runs") ?? "")
        .split(",")
        .map((id) => id.trim())
        .filter(Boolean),
    ),
  ];
  if (ids.length < 2 || ids.length > 20) {
    replace(
      root,
      notice(
        `Compare needs 2 to 20 runs; got ${ids.length}. Mark runs in an experiment's table, then press Compare.`,
        "error",
      ),
    );
    return;
  }
  const runs = await mapLimit(ids, 6, getRun);
  const dimensions = numericDimensions(runs);
  const metricKeys = [...new Set(runs.flatMap((run) => (run.data.metrics ?? []).map((metric) => metric.key)))].sort();
  const histories = await mapLimit(metricKeys, 4, (key) =>
    mapLimit(runs, 6, async (run) =>
      run.data.metrics?.some((metric) => metric.key === key) ? metricHistory(run.info.run_id, key) : [],
    ),
  );
  const charts = metricCharts(
    new Map(
      metricKeys.map((key, index) => [
        key,
        runs.map((run, runIndex) => ({ label: runLabel(run), points: histories[index]![runIndex]! })),
      ]),
    ),
  );
  const scatterView = scatter(runs, dimensions);
  replace(
    root,
    h("header.page-head", {}, h("h1", {}, `Comparing ${runs.length} runs`)),
    h(
      "section.card",
      { "aria-labelledby": "cmp-table" },
      h("h2#cmp-table", {}, "Params and metrics"),
      comparisonTable(runs),
    ),
    h(
      "section.card",
      { "aria-labelledby": "cmp-charts" },
      h("h2#cmp-charts", {}, "Metric histories"),
      metricKeys.length ? charts.element : notice("No metrics."),
    ),
    h(
      "section.card",
      { "aria-labelledby": "cmp-parallel" },
      h("h2#cmp-parallel", {}, "Parallel coordinates"),
      parallelCoordinates(runs, dimensions),
    ),
    h("section.card", { "aria-labelledby": "cmp-scatter" }, h("h2#cmp-scatter", {}, "Scatter"), scatterView.element),
  );
  return () => {
    charts.destroy();
    scatterView.destroy();
  };
};
