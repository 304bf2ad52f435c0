/**
 * Validation benchmark: a 20-expectation suite over a generated Parquet file (10 million rows ×
 * 10 columns by default; LATHE_BENCH_ROWS shrinks it, LATHE_BENCH_FORMAT=csv writes CSV instead),
 * end to end through `validateData`. Floor: the time DuckDB takes for one full scan of the same file
 * (`SELECT count(*), min(each column) …`), measured in the same run. Target: ≤ 10 s at 10 million
 * rows. The file goes to a temporary folder that is removed at the end. Prints figures and ratios;
 * it is not a pass/fail test.
 *
 *   npm run bench:validate
 *   LATHE_BENCH_ROWS=1000000 npm run bench:validate
 */
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { literal, quoteIdentifier, sourceSql } from "../src/validation/sql.js";
import type { ExpectationConfig } from "../src/validation/types.js";
import { validateData } from "../src/validation/validate.js";

const ROWS = Number(process.env.LATHE_BENCH_ROWS ?? 10_000_000);
const FORMAT = process.env.LATHE_BENCH_FORMAT === "csv" ? "csv" : "parquet";

function line(label: string, value: string): void {
  process.stdout.write(`${label.padEnd(58)} ${value}\n`);
}

const COLUMNS = ["id", "x1", "x2", "x3", "x4", "amount", "count", "category", "code", "flag"];

function expectation(type: string, kwargs: Record<string, unknown>): ExpectationConfig {
  return { type, kwargs, meta: {} };
}

const SUITE: ExpectationConfig[] = [
  expectation("expect_table_row_count_to_be_between", { min_value: 1 }),
  expectation("expect_table_columns_to_match_ordered_list", { column_list: COLUMNS }),
  expectation("expect_column_values_to_be_unique", { column: "id" }),
  expectation("expect_column_values_to_be_increasing", { column: "id", strictly: true }),
  expectation("expect_column_values_to_not_be_null", { column: "x1" }),
  expectation("expect_column_values_to_not_be_null", { column: "category" }),
  expectation("expect_column_values_to_be_between", { column: "x1", min_value: 0, max_value: 1 }),
  expectation("expect_column_values_to_be_between", { column: "x2", min_value: -10, max_value: 10, mostly: 0.99 }),
  expectation("expect_column_values_to_be_between", { column: "amount", min_value: 0, strict_min: true }),
  expectation("expect_column_values_to_be_in_set", { column: "category", value_set: ["a", "b", "c", "d"] }),
  expectation("expect_column_values_to_match_regex", { column: "code", regex: "^[A-Z]{2}-[0-9]+$" }),
  expectation("expect_column_value_lengths_to_be_between", { column: "code", min_value: 4, max_value: 12 }),
  expectation("expect_column_values_to_be_of_type", { column: "count", type_: "int64" }),
  expectation("expect_column_mean_to_be_between", { column: "x1", min_value: 0.45, max_value: 0.55 }),
  expectation("expect_column_stdev_to_be_between", { column: "x2", min_value: 0.5, max_value: 2 }),
  expectation("expect_column_median_to_be_between", { column: "amount", min_value: 0 }),
  expectation("expect_column_max_to_be_between", { column: "count", max_value: 1000 }),
  expectation("expect_column_proportion_of_unique_values_to_be_between", { column: "category", max_value: 0.01 }),
  expectation("expect_column_pair_values_a_to_be_greater_than_b", { column_A: "x3", column_B: "x4", mostly: 0.4 }),
  expectation("expect_column_kl_divergence_to_be_less_than", {
    column: "x1",
    partition_object: { bins: [0, 0.25, 0.5, 0.75, 1], weights: [0.25, 0.25, 0.25, 0.25] },
    threshold: 0.01,
  }),
];

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "lathe-bench-validate-"));
  const path = join(dir, `data.${FORMAT}`);
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    process.stdout.write(
      `Generating ${ROWS.toLocaleString("en")} rows × ${COLUMNS.length} columns of ${FORMAT} in ${dir} (LATHE_BENCH_ROWS changes the size)…\n`,
    );
    let start = performance.now();
    const generator = `SELECT i AS id, random() AS x1, (random() + random() + random() - 1.5) * 2 AS x2,
        random() AS x3, random() AS x4, 1 + random() * 100 AS amount, (i % 997)::BIGINT AS count,
        ['a', 'b', 'c', 'd'][1 + (i % 4)::INTEGER] AS category, 'AB-' || (i % 100000)::VARCHAR AS code,
        i % 2 = 0 AS flag
      FROM range(${ROWS}) t(i)`;
    await connection.run(`COPY (${generator}) TO ${literal(path)} (FORMAT ${FORMAT})`);
    const size = (await stat(path)).size;
    line("generate", `${((performance.now() - start) / 1000).toFixed(2)} s, ${(size / 1e6).toFixed(0)} MB`);

    start = performance.now();
    const mins = COLUMNS.map((name) => `min(${quoteIdentifier(name)})`).join(", ");
    await connection.runAndReadAll(`SELECT count(*), ${mins} FROM ${sourceSql(path)}`);
    const floor = (performance.now() - start) / 1000;
    line("floor: DuckDB, one full scan (count + min of each column)", `${floor.toFixed(2)} s`);

    start = performance.now();
    const result = await validateData(path, { name: "bench", expectations: SUITE, meta: {} });
    const seconds = (performance.now() - start) / 1000;
    line(`validate: ${SUITE.length} expectations`, `${seconds.toFixed(2)} s`);
    line("ratio to the floor", `${(seconds / floor).toFixed(1)}×`);
    line("target (10 million rows)", `≤ 10 s${ROWS === 10_000_000 ? (seconds <= 10 ? ", met" : ", missed") : ""}`);
    line(
      "suite",
      `${result.statistics.successful_expectations} of ${result.statistics.evaluated_expectations} expectations met`,
    );
    for (const entry of result.results)
      if (!entry.success)
        line(
          `  failed: ${entry.expectation_config.type}`,
          JSON.stringify(entry.exception_info.exception_message ?? entry.result.observed_value ?? null),
        );
  } finally {
    connection.closeSync();
    instance.closeSync();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
