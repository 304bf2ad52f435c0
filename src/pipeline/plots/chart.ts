/**
 * @module pipeline/plots/chart
 * From a plot definition and the data of one or more revisions to a chart: its kind, axis labels
 * and series (or, for confusion matrices, one count grid per revision and file).
 *
 * Defaults follow DVC's: `x` is `step` when the data has that column, else the row index (shown
 * as `step`); `y` is the last column of the data; the template is `linear`. A plot's `y` may map
 * files to columns (`{eval/roc.json: tpr}`), and `x` likewise.
 */
import { LatheError } from "../../core/errors.js";
import type { Scalar } from "../metrics/values.js";
import { type PlotField, repoPath } from "../types.js";
import type { PlotRecord } from "./data.js";

/** How a template draws. */
export type ChartKind = "line" | "scatter" | "bar_vertical" | "bar_horizontal" | "confusion";

/** Template names as DVC spells them, and what each draws. */
export const TEMPLATES: Readonly<Record<string, ChartKind>> = {
  linear: "line",
  simple: "line",
  smooth: "line",
  scatter: "scatter",
  scatter_jitter: "scatter",
  bar_horizontal: "bar_horizontal",
  bar_horizontal_sorted: "bar_horizontal",
  bar_vertical: "bar_vertical",
  confusion: "confusion",
  confusion_normalized: "confusion",
};

/** The name of the row-index column used when the data has no `x`. */
export const INDEX_FIELD = "step";

/** One line, set of points or set of bars. */
export interface Series {
  label: string;
  points: { x: Scalar; y: Scalar }[];
}

/** One confusion matrix: counts (or fractions of each actual class) by x value and y value. */
export interface ConfusionPanel {
  label: string;
  xValues: string[];
  yValues: string[];
  /** `cells[yIndex][xIndex]`. */
  cells: number[][];
}

/** A plot ready to lay out. */
export interface Chart {
  id: string;
  title: string;
  template: string;
  kind: ChartKind;
  xLabel: string;
  yLabel: string;
  series: Series[];
  panels: ConfusionPanel[];
}

/** The definition of a plot as the chart builder needs it (paths repository-relative). */
export interface ChartDefinition {
  id: string;
  /** The data file when `y` does not name files. */
  path?: string;
  /** Folder that `{file: column}` keys are relative to. */
  base: string;
  x?: PlotField;
  y?: PlotField;
  template?: string;
  title?: string;
  x_label?: string;
  y_label?: string;
  /** False when CSV/TSV data has no header row (columns are then `0`, `1`, …). */
  header?: boolean;
}

/** Loads a data file at a revision; undefined when it is absent there. */
export type DataLoader = (revision: string, path: string) => Promise<PlotRecord[] | undefined>;

interface Source {
  file: string;
  y?: string;
  x?: string;
}

function columns(value: string | string[]): string[] {
  return Array.isArray(value) ? value : [value];
}

/** Which (file, y column, x column) combinations a definition draws. */
function sourcesOf(definition: ChartDefinition): Source[] {
  const xFor = (file: string): string | undefined => {
    const x = definition.x;
    if (x === undefined) return undefined;
    if (typeof x === "string") return x;
    if (Array.isArray(x)) return x[0];
    for (const [key, column] of Object.entries(x))
      if (repoPath(definition.base, key) === file) return columns(column)[0];
    return columns(Object.values(x)[0] ?? [])[0];
  };
  const y = definition.y;
  if (y !== undefined && typeof y === "object" && !Array.isArray(y)) {
    return Object.entries(y).flatMap(([key, cols]) => {
      const file = repoPath(definition.base, key);
      return columns(cols).map((column) => ({ file, y: column, x: xFor(file) }));
    });
  }
  const file = definition.path;
  if (file === undefined)
    throw new LatheError(
      "INVALID_PARAMETER_VALUE",
      `Plot '${definition.id}' names no data file: give its y as {<file>: <column>} or use the file path as its id.`,
    );
  if (y === undefined) return [{ file, x: xFor(file) }];
  return columns(y).map((column) => ({ file, y: column, x: xFor(file) }));
}

function lastColumn(records: readonly PlotRecord[]): string | undefined {
  const first = records[0];
  return first === undefined ? undefined : Object.keys(first).at(-1);
}

function labelOf(parts: (string | false)[], fallback: string): string {
  const kept = parts.filter((part): part is string => part !== false);
  return kept.length === 0 ? fallback : kept.join(" · ");
}

function confusionPanel(
  label: string,
  records: readonly PlotRecord[],
  x: string,
  y: string,
  normalized: boolean,
): ConfusionPanel {
  const text = (value: Scalar | undefined) => (value === undefined || value === null ? "" : String(value));
  // Both axes list every class seen on either side, so the matrix is square and its diagonal is right.
  const classes = [...new Set(records.flatMap((record) => [text(record[x]), text(record[y])]))].sort((a, b) =>
    a.localeCompare(b, "en", { numeric: true }),
  );
  const cells = classes.map(() => classes.map(() => 0));
  for (const record of records) cells[classes.indexOf(text(record[y]))]![classes.indexOf(text(record[x]))]! += 1;
  if (normalized) {
    // Each actual class (x) sums to one, so the diagonal reads as per-class recall.
    classes.forEach((_, column) => {
      const total = cells.reduce((sum, row) => sum + row[column]!, 0);
      if (total > 0) for (const row of cells) row[column] = row[column]! / total;
    });
  }
  return { label, xValues: classes, yValues: classes, cells };
}

/** Builds a chart from `definition`, reading its data at each of `revisions`. */
export async function buildChart(
  definition: ChartDefinition,
  revisions: readonly string[],
  load: DataLoader,
): Promise<Chart> {
  const template = definition.template ?? "linear";
  const kind = TEMPLATES[template];
  if (kind === undefined)
    throw new LatheError(
      "INVALID_PARAMETER_VALUE",
      `Plot '${definition.id}' uses template '${template}', which Lathe does not draw. Use one of: ${Object.keys(TEMPLATES).join(", ")}.`,
    );
  const sources = sourcesOf(definition);
  const files = new Set(sources.map((source) => source.file));
  const ys = new Set<string>();
  const xs = new Set<string>();
  const series: Series[] = [];
  const panels: ConfusionPanel[] = [];
  for (const revision of revisions) {
    for (const source of sources) {
      const records = await load(revision, source.file);
      if (records === undefined || records.length === 0) continue;
      const first = records[0]!;
      const y = source.y ?? lastColumn(records)!;
      const label = labelOf(
        [revisions.length > 1 && revision, files.size > 1 && source.file, sources.length > files.size && y],
        y,
      );
      if (kind === "confusion") {
        const x = source.x ?? Object.keys(first)[0]!;
        xs.add(x);
        ys.add(y);
        panels.push(confusionPanel(label, records, x, y, template === "confusion_normalized"));
        continue;
      }
      const x = source.x ?? INDEX_FIELD;
      const useIndex = !(x in first);
      if (useIndex && source.x !== undefined)
        throw new LatheError(
          "INVALID_PARAMETER_VALUE",
          `Plot '${definition.id}': '${source.file}' at ${revision} has no column '${x}' (its columns: ${Object.keys(first).join(", ")}). Fix the plot's x in dvc.yaml.`,
        );
      if (!(y in first))
        throw new LatheError(
          "INVALID_PARAMETER_VALUE",
          `Plot '${definition.id}': '${source.file}' at ${revision} has no column '${y}' (its columns: ${Object.keys(first).join(", ")}). Fix the plot's y in dvc.yaml.`,
        );
      xs.add(x);
      ys.add(y);
      series.push({
        label,
        points: records.map((record, index) => ({ x: useIndex ? index : (record[x] ?? null), y: record[y] ?? null })),
      });
    }
  }
  const [xLabel, yLabel] = kind === "bar_horizontal" ? [[...ys], [...xs]] : [[...xs], [...ys]];
  return {
    id: definition.id,
    title: definition.title ?? definition.id,
    template,
    kind,
    xLabel: definition.x_label ?? xLabel.join(", "),
    yLabel: definition.y_label ?? yLabel.join(", "),
    series,
    panels,
  };
}
