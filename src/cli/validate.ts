/**
 * @module cli/validate
 * `lathe validate <data> --suite suite.yaml` and `lathe profile <data>`. Validation prints the
 * readable report even when piped (a `dvc.yaml` stage shows it in `lathe repro`'s output), JSON in
 * GX's result shape only with `--json`, and exits 1 when an expectation fails so the stage stops the
 * pipeline. The validation domain, and DuckDB with it, load only when a command runs.
 */
import type { Command } from "commander";
import { invalidParameter } from "../core/errors.js";

interface ValidateFlags {
  suite: string;
  json?: boolean;
  html?: string;
}

interface ProfileFlags {
  output?: string;
  name?: string;
  maxSetSize?: string;
}

/** Registers `lathe validate` and `lathe profile` on `program`. */
export function registerValidationCommands(program: Command): void {
  program
    .command("validate <data>")
    .description(
      "Check a CSV or Parquet file against an expectation suite (Great Expectations' names); exits 1 when it fails.",
    )
    .requiredOption("--suite <file>", "the expectation suite (YAML or JSON)")
    .option("--json", "print the validation result as JSON (GX's shape)")
    .option("--html <file>", "also write a self-contained data-docs page")
    .action(async (data: string, flags: ValidateFlags) => {
      const [{ loadSuite, validateData, renderReport, renderValidationHtml, resultToJson }, { writeFileAtomic }] =
        await Promise.all([import("../validation/index.js"), import("../core/fs.js")]);
      const suite = await loadSuite(flags.suite);
      const result = await validateData(data, suite);
      if (flags.html) await writeFileAtomic(flags.html, renderValidationHtml(result));
      if (flags.json) process.stdout.write(`${resultToJson(result)}\n`);
      else {
        process.stdout.write(renderReport(result));
        if (flags.html) process.stdout.write(`Wrote the data docs to ${flags.html}.\n`);
      }
      if (!result.success) process.exitCode = 1;
    });

  program
    .command("profile <data>")
    .description("Draft an expectation suite from reference data (CSV or Parquet).")
    .option("-o, --output <file>", "write the suite here (.json for JSON, else YAML) instead of printing it")
    .option("--name <name>", "suite name (default: the data file's name)")
    .option("--max-set-size <n>", "most distinct values for a text column's in-set expectation", "20")
    .action(async (data: string, flags: ProfileFlags) => {
      const maxSetSize = Number(flags.maxSetSize ?? "20");
      if (!Number.isInteger(maxSetSize) || maxSetSize < 0)
        throw invalidParameter(`--max-set-size must be a whole number ≥ 0, got '${flags.maxSetSize}'.`);
      const [{ profileData, formatSuite }, { writeFileAtomic }] = await Promise.all([
        import("../validation/index.js"),
        import("../core/fs.js"),
      ]);
      const suite = await profileData(data, { name: flags.name, maxSetSize });
      if (!flags.output) {
        process.stdout.write(formatSuite(suite));
        return;
      }
      await writeFileAtomic(flags.output, formatSuite(suite, flags.output.toLowerCase().endsWith(".json")));
      process.stdout.write(
        `Wrote ${suite.expectations.length} expectations to ${flags.output}; review the ranges before gating on them.\n`,
      );
    });
}
