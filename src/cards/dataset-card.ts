/**
 * @module cards/dataset-card
 * Hugging Face dataset cards for a CSV or Parquet file: YAML front matter (license, tags, size
 * category, the configuration's features) and Markdown with the schema, per-column statistics and
 * provenance — the md5 and `.dvc` (or `dvc.lock`) file that version the data, when it is tracked.
 */
import { stat } from "node:fs/promises";
import { basename, relative, resolve } from "node:path";
import { stringify } from "yaml";
import type { Table } from "../monitoring/table.js";
import { fillTemplate } from "./model-card.js";

export const DATASET_CARD_TEMPLATE = `# {{title}}

{{description}}

## Schema

{{schema}}

## Statistics

{{statistics}}

## Provenance

{{provenance}}
`;

export interface DatasetCardOptions {
  license?: string;
  template?: string;
  description?: string;
  cwd?: string;
}

interface ColumnSummary {
  name: string;
  dtype: string;
  missing: number;
  summary: string;
}

function summarise(table: Table): ColumnSummary[] {
  return table.columns.map((column) => {
    if (column.kind === "numeric") {
      const present = Array.from(column.values).filter((value) => !Number.isNaN(value));
      const mean = present.reduce((sum, value) => sum + value, 0) / Math.max(present.length, 1);
      const variance = present.reduce((sum, value) => sum + (value - mean) ** 2, 0) / Math.max(present.length - 1, 1);
      const round = (value: number) => Number(value.toPrecision(6));
      return {
        name: column.name,
        dtype: present.every(Number.isInteger) ? "int64" : "float64",
        missing: column.values.length - present.length,
        summary:
          present.length === 0
            ? "no values"
            : `min ${round(Math.min(...present))}, max ${round(Math.max(...present))}, mean ${round(mean)}, std ${round(Math.sqrt(variance))}`,
      };
    }
    const counts = new Map<string, number>();
    let missing = 0;
    for (const value of column.values) {
      if (value === null) missing++;
      else counts.set(value, (counts.get(value) ?? 0) + 1);
    }
    const top = [...counts].sort((a, b) => b[1] - a[1]).slice(0, 5);
    return {
      name: column.name,
      dtype: "string",
      missing,
      summary: `${counts.size} distinct; most frequent: ${top.map(([value, count]) => `${value} (${count})`).join(", ")}`,
    };
  });
}

function sizeCategory(rows: number): string {
  if (rows < 1000) return "n<1K";
  if (rows < 10_000) return "1K<n<10K";
  if (rows < 100_000) return "10K<n<100K";
  if (rows < 1_000_000) return "100K<n<1M";
  return "n>1M";
}

/** How the data is versioned: the tracked output holding it, with its hash, if any. */
async function provenance(path: string, cwd: string): Promise<string> {
  try {
    const { openWorkspace, collectOuts } = await import("../data/workspace.js");
    const workspace = await openWorkspace(cwd);
    try {
      const absolute = resolve(cwd, path);
      const out = (await collectOuts(workspace)).find(
        (tracked) => tracked.absolute === absolute || absolute.startsWith(`${tracked.absolute}/`),
      );
      if (!out)
        return `\`${path}\` is not tracked by a .dvc file or dvc.lock; run \`lathe add ${path}\` to version it.`;
      const pointer = relative(workspace.repo.root, out.pointerFile);
      return `Versioned by \`${pointer}\`: \`${out.relpath}\` has md5 \`${out.out.md5}\`${out.out.size !== undefined ? ` (${out.out.size} bytes)` : ""}. \`lathe checkout\` restores exactly this content.`;
    } finally {
      workspace.close();
    }
  } catch {
    return `\`${path}\` is not inside a data repository; run \`lathe init\` and \`lathe add ${path}\` to version it.`;
  }
}

/** Builds the card of a CSV or Parquet file. */
export async function datasetCard(path: string, options: DatasetCardOptions = {}): Promise<string> {
  const cwd = options.cwd ?? process.cwd();
  const { readTable } = await import("../monitoring/table.js");
  const absolute = resolve(cwd, path);
  const table = await readTable(absolute);
  const columns = summarise(table);
  const bytes = (await stat(absolute)).size;
  const frontMatter = {
    license: options.license ?? "other",
    tags: ["lathe", "tabular"],
    size_categories: [sizeCategory(table.rowCount)],
    dataset_info: {
      features: columns.map((column) => ({ name: column.name, dtype: column.dtype })),
      splits: [{ name: "train", num_examples: table.rowCount, num_bytes: bytes }],
    },
  };
  const values: Record<string, string> = {
    title: basename(path),
    description: options.description ?? `${table.rowCount} rows × ${columns.length} columns. (Edit this description.)`,
    schema: [
      "| Column | Type | Missing |",
      "|---|---|---|",
      ...columns.map((c) => `| ${c.name} | ${c.dtype} | ${c.missing} |`),
    ].join("\n"),
    statistics: ["| Column | Summary |", "|---|---|", ...columns.map((c) => `| ${c.name} | ${c.summary} |`)].join("\n"),
    provenance: await provenance(path, cwd),
  };
  return `---\n${stringify(frontMatter, { lineWidth: 0 })}---\n\n${fillTemplate(options.template ?? DATASET_CARD_TEMPLATE, values)}`;
}
