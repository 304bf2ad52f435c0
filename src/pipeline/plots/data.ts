/**
 * @module pipeline/plots/data
 * Plot data files as lists of records: CSV/TSV with a header row, JSON or YAML holding a list of
 * records, or a mapping whose first list of records is the data (`{"roc": [{…}, …]}`, as
 * scikit-learn style exports write it).
 */
import { LatheError } from "../../core/errors.js";
import { parseDelimited } from "../metrics/delimited.js";
import { formatOf, malformedFile, parseDocument } from "../metrics/formats.js";
import type { Scalar } from "../metrics/values.js";

/** One data point: column → value. */
export type PlotRecord = Record<string, Scalar>;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function toScalar(value: unknown): Scalar {
  if (value === null || value === undefined) return null;
  if (typeof value === "number" || typeof value === "string" || typeof value === "boolean") return value;
  return JSON.stringify(value);
}

function recordsOf(value: unknown): PlotRecord[] | undefined {
  if (Array.isArray(value) && value.every(isRecord))
    return value.map((item) => Object.fromEntries(Object.entries(item).map(([key, cell]) => [key, toScalar(cell)])));
  if (isRecord(value)) {
    for (const item of Object.values(value)) {
      const found = Array.isArray(item) ? recordsOf(item) : undefined;
      if (found) return found;
    }
  }
  return undefined;
}

/** File extensions shown as images rather than charts. */
export const IMAGE_EXTENSIONS = new Set(["png", "jpg", "jpeg", "gif", "svg", "webp"]);

/** True when `path` is an image plot. */
export function isImage(path: string): boolean {
  return IMAGE_EXTENSIONS.has(/\.([^./]+)$/.exec(path)?.[1]?.toLowerCase() ?? "");
}

/**
 * Parses a plot data file; anything that is not a list of records is a LatheError naming the file.
 * `header: false` reads a CSV/TSV file whose first row is data, naming columns `0`, `1`, ….
 */
export function readPlotData(
  path: string,
  text: string,
  revision?: string,
  options: { header?: boolean } = {},
): PlotRecord[] {
  const format = formatOf(path);
  if (options.header === false && (format === "csv" || format === "tsv")) {
    try {
      return parseDelimited(text, format === "csv" ? "," : "\t", false);
    } catch (error) {
      throw malformedFile(path, revision, format.toUpperCase(), (error as Error).message);
    }
  }
  const parsed = parseDocument(path, text, revision);
  const records = recordsOf(parsed);
  if (records === undefined) {
    const at = revision === undefined || revision === "workspace" ? "" : ` at ${revision}`;
    throw new LatheError(
      "INVALID_PARAMETER_VALUE",
      `'${path}'${at} is not plot data: a ${formatOf(path).toUpperCase()} plot file must hold a list of records (e.g. [{"step": 0, "loss": 1.2}, …]) or a mapping to one. Rewrite it in that shape or use a CSV/TSV file with a header row.`,
    );
  }
  return records;
}
