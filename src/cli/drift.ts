/**
 * @module cli/drift
 * `lathe drift <reference> <current>`: per-column drift tests, a dataset verdict, and optionally an
 * HTML report. A table on a terminal, JSON with `--json` or when piped. Drift is a finding, not a
 * failure: the exit code is 0 either way and the JSON carries `dataset_drift`. The domain loads
 * lazily so `lathe --help` stays quick.
 */
import type { Command } from "commander";
import { invalidParameter } from "../core/errors.js";
import type { Correction } from "../monitoring/correction.js";
import type { ColumnDrift, DriftReport } from "../monitoring/report.js";
import { type ColumnTestName, DRIFT_TESTS, type DriftTestName } from "../monitoring/test-names.js";
import { type Column, renderTable, wantsJson } from "./output.js";

interface DriftFlags {
  test?: string;
  columns?: string;
  categorical?: string;
  pVal?: string;
  correction?: string;
  driftShare?: string;
  threshold?: string;
  permutations?: string;
  seed?: string;
  json?: boolean;
  html?: string;
}

function list(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const names = value
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name.length > 0);
  if (names.length === 0) throw invalidParameter(`Expected a comma-separated list of column names, got '${value}'.`);
  return names;
}

function fraction(flag: string, value: string | undefined, fallback: number, allowOne: boolean): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!(number > 0 && (allowOne ? number <= 1 : number < 1)))
    throw invalidParameter(
      `${flag} must be a number in (0, ${allowOne ? "1]" : "1)"}, got '${value}'; e.g. ${flag} ${fallback}.`,
    );
  return number;
}

function wholeNumber(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0)
    throw invalidParameter(`${flag} must be a whole number ≥ 0, got '${value}'.`);
  return number;
}

const COLUMNS: Column<ColumnDrift>[] = [
  { header: "COLUMN", value: (row) => row.column },
  { header: "TYPE", value: (row) => row.type },
  { header: "TEST", value: (row) => row.test },
  { header: "STATISTIC", value: (row) => row.statistic },
  { header: "P-VALUE/DISTANCE", value: (row) => row.p_value ?? row.statistic },
  { header: "THRESHOLD", value: (row) => row.threshold },
  { header: "DRIFT", value: (row) => (row.drift ? "yes" : "no") },
];

function summary(report: DriftReport): string {
  const share = Number(report.share_of_drifted_columns.toPrecision(4));
  return report.dataset_drift
    ? `Dataset drift: yes (${report.number_of_drifted_columns} of ${report.number_of_columns} columns drifted, share ${share} ≥ ${report.drift_share}).`
    : `Dataset drift: no (${report.number_of_drifted_columns} of ${report.number_of_columns} columns drifted, share ${share} < ${report.drift_share}).`;
}

/** Registers `lathe drift` on `program`. */
export function registerDriftCommand(program: Command): void {
  program
    .command("drift <reference> <current>")
    .description(
      "Test every column of <current> for drift against <reference> (CSV files with a header row, or Parquet).",
    )
    .option("--test <test>", `test for numeric columns: ${DRIFT_TESTS.join("|")} (categorical columns use chi2)`, "ks")
    .option("--columns <names>", "comma-separated columns to test (default: all)")
    .option("--categorical <names>", "comma-separated columns to treat as categorical")
    .option("--p-val <p>", "significance level before correction", "0.05")
    .option("--correction <method>", "multiple-testing correction: bonferroni|fdr", "bonferroni")
    .option("--drift-share <share>", "share of drifted columns that makes the dataset drifted", "0.5")
    .option("--threshold <value>", "threshold of the distance tests psi|js|wasserstein", "0.1")
    .option("--permutations <n>", "permutations for the mmd p-value", "100")
    .option("--seed <n>", "seed of the mmd permutations", "0")
    .option("--html <file>", "also write a self-contained HTML report")
    .option("--json", "print JSON")
    .action(async (referencePath: string, currentPath: string, flags: DriftFlags) => {
      const test = (flags.test ?? "ks") as DriftTestName;
      if (!DRIFT_TESTS.includes(test))
        throw invalidParameter(`Unknown --test '${flags.test}'; use one of ${DRIFT_TESTS.join(", ")}.`);
      const correction = (flags.correction ?? "bonferroni") as Correction;
      if (correction !== "bonferroni" && correction !== "fdr")
        throw invalidParameter(`Unknown --correction '${flags.correction}'; use bonferroni or fdr.`);
      const pVal = fraction("--p-val", flags.pVal, 0.05, false);
      const driftShare = fraction("--drift-share", flags.driftShare, 0.5, true);
      const threshold = Number(flags.threshold ?? "0.1");
      if (!(threshold > 0)) throw invalidParameter(`--threshold must be a number > 0, got '${flags.threshold}'.`);
      const columns = list(flags.columns);
      const categorical = list(flags.categorical);
      const permutations = wholeNumber("--permutations", flags.permutations, 100);
      const seed = wholeNumber("--seed", flags.seed, 0);

      const [{ readTable }, { detectFeatureDrift }, { detectMmdDrift }] = await Promise.all([
        import("../monitoring/table.js"),
        import("../monitoring/detect.js"),
        import("../monitoring/detect-mmd.js"),
      ]);
      const [reference, current] = await Promise.all([readTable(referencePath), readTable(currentPath)]);
      const report =
        test === "mmd"
          ? detectMmdDrift(reference, current, { columns, pVal, permutations, seed })
          : detectFeatureDrift(reference, current, {
              test: test as ColumnTestName,
              columns,
              categorical,
              pVal,
              correction,
              driftShare,
              threshold,
            });
      if (flags.html) {
        const [{ renderDriftHtml }, { writeFileAtomic }] = await Promise.all([
          import("../monitoring/report-html.js"),
          import("../core/fs.js"),
        ]);
        await writeFileAtomic(
          flags.html,
          renderDriftHtml(report, reference, current, { reference: referencePath, current: currentPath }),
        );
      }
      if (wantsJson(flags)) {
        process.stdout.write(
          `${JSON.stringify({ reference: referencePath, current: currentPath, ...report }, null, 2)}\n`,
        );
        return;
      }
      process.stdout.write(`${renderTable(report.columns, COLUMNS)}\n${summary(report)}\n`);
      if (flags.html) process.stdout.write(`Wrote the HTML report to ${flags.html}.\n`);
    });
}
