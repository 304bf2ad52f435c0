/**
 * @module models/train/dataset
 * Reading a CSV file (header row, comma-separated, RFC 4180 quoting) into what the trainers take: a
 * numeric feature matrix and a target column. Class labels stay strings unless every one is a number;
 * classes are ordered like numpy's `np.unique` (numbers ascending, strings by code unit).
 */
import { readFile } from "node:fs/promises";
import { invalidParameter, LatheError } from "../../core/errors.js";
import type { ClassLabel, Task } from "./model.js";

/** Features and target, row-major, ready for `train`. */
export interface Dataset {
  featureNames: string[];
  /** One Float64Array per row, `featureNames.length` values each. */
  rows: Float64Array[];
  /** The target column: numbers when every value parsed as a number, otherwise strings. */
  target: ClassLabel[];
  targetName: string;
}

/** The rows of a dataset at the given indices. */
export function subset(data: Dataset, indices: readonly number[]): Dataset {
  return {
    featureNames: data.featureNames,
    targetName: data.targetName,
    rows: indices.map((i) => data.rows[i]!),
    target: indices.map((i) => data.target[i]!),
  };
}

/** Options for reading a CSV. */
export interface ReadCsvOptions {
  /** Name of the target column; defaults to the last column. */
  target?: string;
  /** Where the text came from, for error messages. */
  source?: string;
}

/** Splits CSV text into records of fields (quotes, doubled quotes, CRLF). */
export function parseCsvRecords(text: string): string[][] {
  const records: string[][] = [];
  let field = "";
  let record: string[] = [];
  let inQuotes = false;
  let i = 0;
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  while (i < body.length) {
    const ch = body[i]!;
    if (inQuotes) {
      if (ch === '"') {
        if (body[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        inQuotes = false;
      } else field += ch;
      i++;
      continue;
    }
    if (ch === '"') inQuotes = true;
    else if (ch === ",") {
      record.push(field);
      field = "";
    } else if (ch === "\n" || ch === "\r") {
      record.push(field);
      field = "";
      if (!(record.length === 1 && record[0] === "")) records.push(record);
      record = [];
      if (ch === "\r" && body[i + 1] === "\n") i++;
    } else field += ch;
    i++;
  }
  if (field !== "" || record.length > 0) {
    record.push(field);
    if (!(record.length === 1 && record[0] === "")) records.push(record);
  }
  return records;
}

function parseNumber(text: string): number {
  const trimmed = text.trim();
  if (trimmed === "") return Number.NaN;
  return Number(trimmed);
}

/** Parses CSV text with a header row into a dataset. */
export function parseCsvDataset(text: string, options: ReadCsvOptions = {}): Dataset {
  const source = options.source ?? "the CSV";
  const records = parseCsvRecords(text);
  const header = records[0];
  if (header === undefined || header.every((name) => name.trim() === "")) {
    throw invalidParameter(`${source} is empty: expected a header row naming the columns, then one row per example.`);
  }
  const names = header.map((name) => name.trim());
  const targetName = options.target ?? names[names.length - 1]!;
  const targetIndex = names.indexOf(targetName);
  if (targetIndex === -1) {
    throw invalidParameter(
      `${source} has no column "${targetName}" to use as the target; its columns are ${names.join(", ")}. Pass one of them as the target.`,
    );
  }
  if (records.length < 2) {
    throw invalidParameter(`${source} has a header but no data rows: add at least one row per example.`);
  }
  if (names.length < 2) {
    throw invalidParameter(`${source} has only the target column "${targetName}": add at least one feature column.`);
  }
  const featureNames = names.filter((_, j) => j !== targetIndex);
  const rows: Float64Array[] = [];
  const rawTarget: string[] = [];
  for (let r = 1; r < records.length; r++) {
    const record = records[r]!;
    const line = r + 1;
    if (record.length !== names.length) {
      throw invalidParameter(
        `${source}, line ${line}: ${record.length} fields but the header has ${names.length}; every row needs one value per column.`,
      );
    }
    const row = new Float64Array(featureNames.length);
    let f = 0;
    for (let j = 0; j < record.length; j++) {
      if (j === targetIndex) continue;
      const value = parseNumber(record[j]!);
      if (!Number.isFinite(value)) {
        const shown = record[j]!.trim() === "" ? "an empty value" : `"${record[j]}"`;
        throw invalidParameter(
          `${source}, line ${line}, column "${names[j]}": ${shown} is not a number. Features must be numeric: encode categories as numbers and fill or drop missing values first.`,
        );
      }
      row[f++] = value;
    }
    const label = record[targetIndex]!.trim();
    if (
      label === "" ||
      label.toLowerCase() === "nan" ||
      label.toLowerCase() === "na" ||
      label.toLowerCase() === "null"
    ) {
      throw invalidParameter(
        `${source}, line ${line}: the target "${targetName}" is missing (${label === "" ? "empty" : label}). Drop rows without a target before training.`,
      );
    }
    rows.push(row);
    rawTarget.push(label);
  }
  const numeric = rawTarget.map(parseNumber);
  const allNumeric = numeric.every((value) => Number.isFinite(value));
  const target: ClassLabel[] = allNumeric ? numeric : rawTarget;
  return { featureNames, rows, target, targetName };
}

/**
 * Reads a CSV file with a header row into a dataset.
 *
 * @example
 * const data = await readCsvDataset("data/iris.csv", { target: "species" });
 */
export async function readCsvDataset(path: string, options: ReadCsvOptions = {}): Promise<Dataset> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new LatheError("IO_ERROR", `Cannot read the dataset ${path}: ${(error as Error).message}`, { cause: error });
  }
  return parseCsvDataset(text, { ...options, source: options.source ?? path });
}

/** The target as numbers, for regression; a string label is refused with the row it is on. */
export function numericTarget(data: Dataset, algo: string): Float64Array {
  const y = new Float64Array(data.target.length);
  for (let i = 0; i < y.length; i++) {
    const value = data.target[i];
    if (typeof value !== "number") {
      throw invalidParameter(
        `${algo} regression needs a numeric target but "${data.targetName}" has the label ${JSON.stringify(value)} (row ${i + 1}); use a numeric target, or train a classifier (task "classification" with tree, rf, hgb or logreg).`,
      );
    }
    y[i] = value;
  }
  return y;
}

/** Sorts labels like `np.unique`: numbers ascending, strings by UTF-16 code unit. */
export function uniqueSorted(labels: readonly ClassLabel[]): ClassLabel[] {
  const unique = [...new Set(labels)];
  if (unique.every((label) => typeof label === "number")) return (unique as number[]).sort((a, b) => a - b);
  return unique.map(String).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Class labels and each row's class index. */
export interface EncodedLabels {
  classes: ClassLabel[];
  /** Class index per row. */
  y: Int32Array;
}

/** Maps labels to class indices in `np.unique` order. */
export function encodeLabels(labels: readonly ClassLabel[]): EncodedLabels {
  const classes = uniqueSorted(labels);
  const allNumbers = classes.every((label) => typeof label === "number");
  const index = new Map<string, number>(classes.map((label, k) => [String(label), k]));
  const y = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    y[i] = index.get(String(labels[i]))!;
  }
  return { classes: allNumbers ? classes : classes.map(String), y };
}

/** Most distinct integer values a numeric target may have and still default to classification. */
export const MAX_DEFAULT_CLASSES = 20;

/**
 * The task a target implies when none is given: classification for string labels or for integers
 * with at most {@link MAX_DEFAULT_CLASSES} distinct values, regression otherwise.
 */
export function inferTask(target: readonly ClassLabel[]): Task {
  if (target.some((value) => typeof value === "string")) return "classification";
  const distinct = new Set(target);
  const allIntegers = (target as number[]).every((value) => Number.isInteger(value));
  return allIntegers && distinct.size <= MAX_DEFAULT_CLASSES ? "classification" : "regression";
}
