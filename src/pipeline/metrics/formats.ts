/**
 * @module pipeline/metrics/formats
 * Reading metrics and params files by their extension: JSON, YAML (1.2, as DVC's loader reads it:
 * `yes`/`no` stay text), TOML and, for metrics, CSV/TSV. Any other extension is read as YAML, as
 * DVC does. Python params files are refused with the way out.
 *
 * A CSV/TSV metrics file is a table; its last row is taken as the metrics (a per-epoch log ends with
 * the final values), each column one metric. Plots read the whole table instead.
 */
import { parse as parseYaml } from "yaml";
import { LatheError } from "../../core/errors.js";
import { parseDelimited } from "./delimited.js";
import { parseToml } from "./toml.js";
import { type FlatValues, flattenValues } from "./values.js";

/** The file formats by extension. */
export type FileFormat = "json" | "yaml" | "toml" | "csv" | "tsv" | "python";

const NON_FINITE: Record<string, number> = { NaN: Number.NaN, Infinity: Infinity, "-Infinity": -Infinity };

/**
 * JSON as Python's `json.dump` writes it, which may hold the bare tokens `NaN`, `Infinity` and
 * `-Infinity` (a metric that diverged); they read as the numbers they stand for.
 */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const marker = "\u0000lathe-non-finite:";
    let replaced = false;
    const patched = text.replace(/"(?:[^"\\]|\\.)*"|-?Infinity|NaN/g, (token) => {
      if (token.startsWith('"')) return token;
      replaced = true;
      return JSON.stringify(`${marker}${token}`);
    });
    if (!replaced) throw error;
    return JSON.parse(patched, (_key, value: unknown) =>
      typeof value === "string" && value.startsWith(marker) ? NON_FINITE[value.slice(marker.length)] : value,
    );
  }
}

/** The format of `path`, from its extension; YAML when the extension says nothing. */
export function formatOf(path: string): FileFormat {
  const extension = /\.([^./]+)$/.exec(path)?.[1]?.toLowerCase();
  switch (extension) {
    case "json":
      return "json";
    case "toml":
      return "toml";
    case "csv":
      return "csv";
    case "tsv":
      return "tsv";
    case "py":
      return "python";
    default:
      return "yaml";
  }
}

function where(path: string, revision: string | undefined): string {
  return revision === undefined || revision === "workspace" ? `'${path}'` : `'${path}' at ${revision}`;
}

/** A LatheError for a file that does not parse, saying what to fix. */
export function malformedFile(path: string, revision: string | undefined, format: string, detail: string): LatheError {
  return new LatheError(
    "INVALID_PARAMETER_VALUE",
    `${where(path, revision)} is not valid ${format}: ${detail}. Fix the file (or give it the extension of its real format) and run again.`,
  );
}

/**
 * Parses a JSON, YAML or TOML document (CSV/TSV as a list of records). `revision` only names where
 * the text came from in messages.
 */
export function parseDocument(path: string, text: string, revision?: string): unknown {
  const format = formatOf(path);
  try {
    switch (format) {
      case "json":
        return parseJson(text);
      case "toml":
        return parseToml(text);
      case "csv":
        return parseDelimited(text, ",");
      case "tsv":
        return parseDelimited(text, "\t");
      case "python":
        throw new LatheError(
          "INVALID_PARAMETER_VALUE",
          `${where(path, revision)} is a Python params file, which Lathe does not read. Move its values to params.yaml (or a JSON/TOML file) and list that file instead.`,
        );
      default:
        return parseYaml(text, { version: "1.2" }) ?? {};
    }
  } catch (error) {
    if (error instanceof LatheError) throw error;
    const detail = (error instanceof Error ? error.message : String(error)).split("\n")[0]!.replace(/[.:]\s*$/, "");
    throw malformedFile(path, revision, format.toUpperCase(), detail);
  }
}

/**
 * Reads a metrics or params file into dotted keys. A CSV/TSV file gives its last row. The top level
 * must be a mapping (or, for tables, have a header row); anything else is refused.
 */
export function readValues(path: string, text: string, revision?: string): FlatValues {
  const parsed = parseDocument(path, text, revision);
  const format = formatOf(path);
  if (format === "csv" || format === "tsv") {
    const rows = parsed as Record<string, unknown>[];
    return flattenValues(rows[rows.length - 1] ?? {});
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    throw malformedFile(
      path,
      revision,
      format.toUpperCase(),
      `its top level is ${Array.isArray(parsed) ? "a list" : `a ${typeof parsed}`}, but metrics and params files hold a mapping of names to values`,
    );
  return flattenValues(parsed);
}
