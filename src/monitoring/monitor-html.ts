/**
 * @module monitoring/monitor-html
 * The `lathe monitor --html` report: the latest window as the drift report (reference vs current
 * histograms per feature), followed by line charts over the windows of a watch — p-value per feature
 * with the significance line, and accuracy (or MAE) when labels arrived. Inline SVG, no scripts.
 */

import type { WindowResult } from "./monitor.js";
import { escapeHtml, renderDriftHtml } from "./report-html.js";
import type { Table } from "./table.js";

const WIDTH = 560;
const HEIGHT = 200;
const PAD = { left: 44, right: 120, top: 10, bottom: 28 };
const COLOURS = ["#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2", "#b279a2", "#ff9da6", "#9d755d"];

interface Series {
  readonly name: string;
  readonly points: readonly (number | undefined)[];
}

function lineChart(title: string, series: readonly Series[], range: [number, number], line?: number): string {
  const count = Math.max(0, ...series.map((s) => s.points.length));
  if (count === 0) return "";
  const plotWidth = WIDTH - PAD.left - PAD.right;
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const x = (i: number) => PAD.left + (count === 1 ? plotWidth / 2 : (plotWidth * i) / (count - 1));
  const y = (v: number) => PAD.top + plotHeight * (1 - (v - range[0]) / (range[1] - range[0] || 1));
  const paths = series.map((s, k) => {
    const colour = COLOURS[k % COLOURS.length];
    const points = s.points
      .map((value, i) => (value === undefined ? undefined : `${x(i).toFixed(1)},${y(value).toFixed(1)}`))
      .filter((point) => point !== undefined);
    const legendY = PAD.top + 14 * k + 8;
    return (
      `<polyline fill="none" stroke="${colour}" stroke-width="1.5" points="${points.join(" ")}"/>` +
      `<text x="${WIDTH - PAD.right + 8}" y="${legendY}" font-size="11" fill="${colour}">${escapeHtml(s.name)}</text>`
    );
  });
  const threshold =
    line === undefined
      ? ""
      : `<line x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${y(line)}" y2="${y(line)}" stroke="#b00020" stroke-dasharray="4 3"/>`;
  return `<figure><figcaption>${escapeHtml(title)}</figcaption><svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" role="img" aria-label="${escapeHtml(title)}">
<rect x="${PAD.left}" y="${PAD.top}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#ccc"/>
<text x="${PAD.left - 4}" y="${PAD.top + 10}" font-size="10" text-anchor="end">${range[1]}</text>
<text x="${PAD.left - 4}" y="${HEIGHT - PAD.bottom}" font-size="10" text-anchor="end">${range[0]}</text>
<text x="${PAD.left}" y="${HEIGHT - 8}" font-size="10">window 0</text>
<text x="${WIDTH - PAD.right}" y="${HEIGHT - 8}" font-size="10" text-anchor="end">window ${count - 1}</text>
${threshold}${paths.join("")}</svg></figure>`;
}

/** Renders the monitoring report for `history` (oldest first) with the latest window's tables. */
export function renderMonitorHtml(
  history: readonly WindowResult[],
  reference: Table,
  current: Table,
  labels: { model: string; pVal: number },
): string {
  const latest = history[history.length - 1];
  const overTime: string[] = [];
  const features = [...new Set(history.flatMap((result) => Object.keys(result.metrics)))]
    .filter((key) => key.startsWith("drift_p_value."))
    .sort();
  if (features.length > 0)
    overTime.push(
      lineChart(
        "Drift p-value per feature (dashed: significance level)",
        features.map((key) => ({
          name: key.slice("drift_p_value.".length),
          points: history.map((result) => result.metrics[key]),
        })),
        [0, 1],
        labels.pVal,
      ),
    );
  if (history.some((result) => result.metrics.prediction_drift_p_value !== undefined))
    overTime.push(
      lineChart(
        "Prediction drift p-value",
        [{ name: "predictions", points: history.map((result) => result.metrics.prediction_drift_p_value) }],
        [0, 1],
        labels.pVal,
      ),
    );
  if (history.some((result) => result.metrics.accuracy !== undefined))
    overTime.push(
      lineChart(
        "Accuracy and macro F1 on labelled rows",
        [
          { name: "accuracy", points: history.map((result) => result.metrics.accuracy) },
          { name: "f1_macro", points: history.map((result) => result.metrics.f1_macro) },
        ],
        [0, 1],
      ),
    );
  for (const key of ["mae", "rmse"])
    if (history.some((result) => result.metrics[key] !== undefined)) {
      const values = history.map((result) => result.metrics[key]).filter((v) => v !== undefined);
      overTime.push(
        lineChart(
          key.toUpperCase(),
          [{ name: key, points: history.map((result) => result.metrics[key]) }],
          [0, Number(Math.max(...values, 1e-9).toPrecision(2)) * 1.1],
        ),
      );
    }
  const summary = `<section><h2>Monitoring of ${escapeHtml(labels.model)}</h2><p>${history.length} window(s); latest: ${latest?.rows ?? 0} rows${latest?.start ? ` from ${escapeHtml(latest.start)} to ${escapeHtml(latest.end ?? "")}` : ""}${latest?.performance ? `, ${latest.performance.labelled} labelled` : ""}.</p>${overTime.join("\n")}</section>`;
  if (!latest?.drift)
    return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Monitoring report</title></head><body>${summary}<p>The latest window is empty.</p></body></html>\n`;
  const page = renderDriftHtml(latest.drift, reference, current, {
    reference: "training sample",
    current: "latest window",
  });
  return page
    .replace("<h1>", `${summary}\n<h1>`)
    .replace("<title>Drift report</title>", "<title>Monitoring report</title>");
}
