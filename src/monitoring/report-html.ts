/**
 * @module monitoring/report-html
 * A self-contained HTML drift report: a summary, the per-column table, and for each column an inline
 * SVG histogram of reference against current shares. No scripts, no external resources.
 */
import type { ColumnDrift, DriftReport } from "./report.js";
import { countCategories } from "./stats/categories.js";
import { histogramSorted } from "./stats/distance.js";
import { sortedFinite } from "./stats/sample.js";
import type { Table, TableColumn } from "./table.js";

const WIDTH = 420;
const HEIGHT = 160;
const PAD = { left: 36, right: 8, top: 8, bottom: 28 };
const REF_COLOUR = "#4c78a8";
const CUR_COLOUR = "#f58518";
const MAX_CATEGORIES = 20;
const BINS = 20;

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

function formatNumber(value: number | null): string {
  if (value === null) return "—";
  if (!Number.isFinite(value)) return String(value);
  if (value !== 0 && (Math.abs(value) < 1e-4 || Math.abs(value) >= 1e6)) return value.toExponential(3);
  return String(Number(value.toPrecision(4)));
}

interface Histogram {
  /** What each bar pair is: a bin's range or a category. */
  labels: string[];
  reference: number[];
  current: number[];
  /** Numeric bins: the axis ends. Categories: absent, each pair is labelled. */
  range?: [string, string];
}

function numericHistogram(reference: Float64Array, current: Float64Array): Histogram {
  const a = sortedFinite(reference);
  const b = sortedFinite(current);
  if (a.length === 0 || b.length === 0) return { labels: [], reference: [], current: [] };
  const low = Math.min(a[0]!, b[0]!);
  const high = Math.max(a[a.length - 1]!, b[b.length - 1]!);
  const edges =
    low === high
      ? [low - 0.5, high + 0.5]
      : Array.from({ length: BINS + 1 }, (_, i) => low + ((high - low) * i) / BINS);
  const share = (sorted: Float64Array) => histogramSorted(sorted, edges).map((count) => count / sorted.length);
  return {
    labels: edges.slice(0, -1).map((edge, i) => `${formatNumber(edge)} to ${formatNumber(edges[i + 1]!)}`),
    reference: share(a),
    current: share(b),
    range: [formatNumber(edges[0]!), formatNumber(edges[edges.length - 1]!)],
  };
}

function categoricalHistogram(reference: TableColumn, current: TableColumn): Histogram {
  const list = (column: TableColumn) =>
    column.kind === "categorical"
      ? column.values
      : Array.from(column.values, (value) => (Number.isNaN(value) ? null : String(value)));
  const counts = countCategories(list(reference), list(current));
  const order = counts.categories
    .map((category, i) => ({ category, total: counts.reference[i]! + counts.current[i]!, i }))
    .sort((x, y) => y.total - x.total)
    .slice(0, MAX_CATEGORIES);
  return {
    labels: order.map((entry) => String(entry.category)),
    reference: order.map((entry) => counts.reference[entry.i]! / Math.max(1, counts.referenceTotal)),
    current: order.map((entry) => counts.current[entry.i]! / Math.max(1, counts.currentTotal)),
  };
}

function renderSvg(histogram: Histogram, title: string): string {
  const bins = histogram.labels.length;
  if (bins === 0) return "<p>No values to plot.</p>";
  const top = Math.max(...histogram.reference, ...histogram.current, 1e-12);
  const plotWidth = WIDTH - PAD.left - PAD.right;
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const slot = plotWidth / bins;
  const barWidth = Math.max(1, slot / 2 - 1);
  const bars: string[] = [];
  for (let i = 0; i < bins; i++) {
    for (const [index, values, colour] of [
      [0, histogram.reference, REF_COLOUR],
      [1, histogram.current, CUR_COLOUR],
    ] as const) {
      const value = values[i]!;
      const height = (value / top) * plotHeight;
      const x = PAD.left + i * slot + index * barWidth + 0.5;
      const y = PAD.top + plotHeight - height;
      bars.push(
        `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${barWidth.toFixed(1)}" height="${height.toFixed(1)}" fill="${colour}"><title>${escapeHtml(histogram.labels[i]!)}: ${(value * 100).toFixed(1)}%</title></rect>`,
      );
    }
  }
  const axis = histogram.range
    ? [
        `<text x="${PAD.left}" y="${HEIGHT - 8}" font-size="10">${escapeHtml(histogram.range[0])}</text>`,
        `<text x="${WIDTH - PAD.right}" y="${HEIGHT - 8}" font-size="10" text-anchor="end">${escapeHtml(histogram.range[1])}</text>`,
      ]
    : histogram.labels.map((label, i) => {
        const short = label.length > 10 ? `${label.slice(0, 9)}…` : label;
        const x = PAD.left + (i + 0.5) * slot;
        return `<text x="${x.toFixed(1)}" y="${HEIGHT - 8}" font-size="9" text-anchor="middle">${escapeHtml(short)}</text>`;
      });
  return [
    `<svg width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${escapeHtml(title)}">`,
    `<line x1="${PAD.left}" y1="${PAD.top + plotHeight}" x2="${WIDTH - PAD.right}" y2="${PAD.top + plotHeight}" stroke="#888"/>`,
    `<text x="2" y="${PAD.top + 10}" font-size="10">${(top * 100).toFixed(0)}%</text>`,
    ...bars,
    ...axis,
    "</svg>",
  ].join("");
}

function columnSection(column: ColumnDrift, reference: Table, current: Table): string {
  // An MMD row covers several columns (joined with commas): plot each of them.
  const names = column.test === "mmd" ? column.column.split(",") : [column.column];
  const plots = names.map((name) => {
    const a = reference.columns.find((candidate) => candidate.name === name);
    const b = current.columns.find((candidate) => candidate.name === name);
    if (!a || !b) return "";
    const histogram =
      column.type === "numeric" && a.kind === "numeric" && b.kind === "numeric"
        ? numericHistogram(a.values, b.values)
        : categoricalHistogram(a, b);
    const svg = renderSvg(histogram, `${name}: reference vs current`);
    return column.test === "mmd" ? `<h3>${escapeHtml(name)}</h3>${svg}` : svg;
  });
  const verdict = column.drift ? '<span class="drift">drift</span>' : '<span class="ok">no drift</span>';
  return `<section><h2>${escapeHtml(column.column)} — ${verdict}</h2><p>${escapeHtml(column.test)} statistic ${formatNumber(column.statistic)}, ${column.p_value === null ? "distance" : `p-value ${formatNumber(column.p_value)}`}, threshold ${formatNumber(column.threshold)}</p>${plots.join("")}</section>`;
}

/** Renders the report as one HTML page. */
export function renderDriftHtml(
  report: DriftReport,
  reference: Table,
  current: Table,
  labels: { reference: string; current: string } = { reference: "reference", current: "current" },
): string {
  const rows = report.columns
    .map(
      (column) =>
        `<tr class="${column.drift ? "drift" : ""}"><td>${escapeHtml(column.column)}</td><td>${column.type}</td><td>${column.test}</td><td>${formatNumber(column.statistic)}</td><td>${formatNumber(column.p_value)}</td><td>${formatNumber(column.threshold)}</td><td>${column.drift ? "yes" : "no"}</td></tr>`,
    )
    .join("");
  const verdict = report.dataset_drift ? "Dataset drift detected" : "No dataset drift";
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Drift report</title>
<style>
body{font-family:system-ui,sans-serif;margin:2rem;color:#222}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;white-space:nowrap}
tr.drift td{background:#fde2e2}.drift{color:#b00020}.ok{color:#1b7a3a}
section{margin:1.5rem 0}.legend span{display:inline-block;width:.8rem;height:.8rem;margin:0 .3rem 0 1rem;vertical-align:middle}
</style></head><body>
<h1>${verdict}</h1>
<p>${escapeHtml(labels.reference)} (reference) against ${escapeHtml(labels.current)} (current): ${report.number_of_drifted_columns} of ${report.number_of_columns} columns drifted (share ${formatNumber(report.share_of_drifted_columns)}, dataset threshold ${formatNumber(report.drift_share)}); p-value correction ${report.correction} at ${formatNumber(report.p_val)}.</p>
<p class="legend"><span style="background:${REF_COLOUR}"></span>reference<span style="background:${CUR_COLOUR}"></span>current</p>
<table><thead><tr><th>column</th><th>type</th><th>test</th><th>statistic</th><th>p-value</th><th>threshold</th><th>drift</th></tr></thead><tbody>${rows}</tbody></table>
${report.columns.map((column) => columnSection(column, reference, current)).join("\n")}
</body></html>
`;
}
