/**
 * GX's result shape, the same answers from CSV and Parquet, and the text and HTML reports.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderValidationHtml } from "../../src/validation/html.js";
import { formatSuite, profileData } from "../../src/validation/profile.js";
import { renderReport } from "../../src/validation/report.js";
import { parseSuite } from "../../src/validation/suite.js";
import { resultToJson, validateData } from "../../src/validation/validate.js";
import { makeDir, removeDir, runSuite, toParquet, writeData } from "./helpers.js";

const ROWS = Array.from(
  { length: 40 },
  (_, i) => `${i},${i % 3 === 0 ? "" : (i * 1.5).toFixed(1)},${["a", "b", "c"][i % 3]}`,
);
const DATA = `id,value,kind\n${ROWS.join("\n")}\n`;

const SUITE: [string, Record<string, unknown>][] = [
  ["expect_table_row_count_to_be_between", { min_value: 10, max_value: 100 }],
  ["expect_column_values_to_not_be_null", { column: "value" }],
  ["expect_column_values_to_be_between", { column: "value", min_value: 0, max_value: 30 }],
  ["expect_column_values_to_be_in_set", { column: "kind", value_set: ["a", "b"] }],
  ["expect_column_values_to_be_increasing", { column: "id", strictly: true }],
  ["expect_column_mean_to_be_between", { column: "value", min_value: 0 }],
  ["expect_column_values_to_be_unique", { column: "kind" }],
  [
    "expect_column_kl_divergence_to_be_less_than",
    { column: "kind", partition_object: { values: ["a", "b", "c"], weights: [0.4, 0.3, 0.3] }, threshold: 0.1 },
  ],
  ["expect_column_values_to_be_between", { column: "missing", min_value: 0 }],
];

let dir: string;
let csv: string;
let parquet: string;
beforeAll(async () => {
  dir = await makeDir();
  csv = await writeData(dir, "data.csv", DATA);
  parquet = await toParquet(csv);
});
afterAll(async () => removeDir(dir));

describe("validation result", () => {
  it("has GX's suite and expectation fields", async () => {
    const result = await runSuite(csv, SUITE);
    expect(Object.keys(result).sort()).toEqual([
      "meta",
      "results",
      "statistics",
      "success",
      "suite_name",
      "suite_parameters",
    ]);
    expect(result.success).toBe(false);
    expect(result.statistics).toEqual({
      evaluated_expectations: 9,
      successful_expectations: 4,
      unsuccessful_expectations: 5,
      success_percent: (4 / 9) * 100,
    });
    for (const entry of result.results)
      expect(Object.keys(entry).sort()).toEqual(["exception_info", "expectation_config", "meta", "result", "success"]);
    expect(result.results[1]!.expectation_config).toEqual({
      type: "expect_column_values_to_not_be_null",
      kwargs: { column: "value" },
      meta: {},
    });
    expect(result.results[2]!.result).toEqual({
      element_count: 40,
      unexpected_count: 12,
      unexpected_percent: (12 / 26) * 100,
      partial_unexpected_list: [33, 34.5, 37.5, 39, 42, 43.5, 46.5, 48, 51, 52.5, 55.5, 57],
      missing_count: 14,
      missing_percent: 35,
      unexpected_percent_total: 30,
      unexpected_percent_nonmissing: (12 / 26) * 100,
    });
    expect((result.results[3]!.result.partial_unexpected_list as unknown[]).length).toBe(13);
    expect((result.results[6]!.result.partial_unexpected_list as unknown[]).length).toBe(20);
    expect(result.results[8]!.exception_info.raised_exception).toBe(true);
  });

  it("gives the same answers on CSV and Parquet", async () => {
    const fromCsv = await runSuite(csv, SUITE);
    const fromParquet = await runSuite(parquet, SUITE);
    const strip = (result: typeof fromCsv) => result.results.map((entry) => [entry.success, entry.result]);
    expect(strip(fromParquet)).toEqual(strip(fromCsv));
    expect(fromParquet.meta.batch_spec.path).toBe(parquet);
  });

  it("renders a readable report, JSON with Infinity, and a script-free HTML page", async () => {
    const result = await runSuite(csv, [
      ...SUITE.slice(0, 3),
      [
        "expect_column_kl_divergence_to_be_less_than",
        { column: "id", partition_object: { bins: [100, 200], weights: [1] }, threshold: 1 },
      ],
    ]);
    const text = renderReport(result);
    expect(text).toContain("✓ expect_table_row_count_to_be_between(min_value=10, max_value=100)\n    observed 40\n");
    expect(text).toContain("✗ expect_column_values_to_not_be_null(column=value)\n    14 of 40 unexpected (35%)\n");
    expect(text).toContain("12 of 26 unexpected (46.1538%), 14 missing; e.g. 33, 34.5, 37.5, 39, 42");
    expect(text).toContain("observed ∞");
    expect(text.trimEnd().split("\n").at(-1)).toBe("FAILED: 1 of 4 expectations met (25%).");
    expect(JSON.parse(resultToJson(result)).results[3].result.observed_value).toBe("Infinity");
    const html = renderValidationHtml(result);
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<script|<link|src=|https?:/i);
    expect(html).toContain("expect_column_values_to_not_be_null");
  });
});

describe("Parquet types", () => {
  it("reports DuckDB's types and matches the aliases against them", async () => {
    const typed = await writeData(dir, "typed.csv", "n,x,s,b,d\n1,1.5,a,true,2024-01-02\n2,2.5,b,false,2024-01-03\n");
    const path = await toParquet(typed);
    const result = await runSuite(path, [
      ["expect_column_values_to_be_of_type", { column: "n", type_: "int" }],
      ["expect_column_values_to_be_of_type", { column: "x", type_: "float64" }],
      ["expect_column_values_to_be_of_type", { column: "s", type_: "string" }],
      ["expect_column_values_to_be_of_type", { column: "b", type_: "bool" }],
      ["expect_column_values_to_be_of_type", { column: "d", type_: "date" }],
      ["expect_column_values_to_be_increasing", { column: "d", strictly: true }],
      ["expect_column_values_to_be_between", { column: "d", min_value: "2024-01-01", max_value: "2024-01-02" }],
    ]);
    expect(result.results.map((entry) => entry.success)).toEqual([true, true, true, true, true, true, false]);
    expect(result.results.map((entry) => entry.result.observed_value).slice(0, 5)).toEqual([
      "BIGINT",
      "DOUBLE",
      "VARCHAR",
      "BOOLEAN",
      "DATE",
    ]);
    expect(result.results[6]!.result.partial_unexpected_list).toEqual(["2024-01-03T00:00:00.000Z"]);
  });
});

describe("profileData", () => {
  it("drafts a suite the same data passes", async () => {
    const suite = await profileData(csv);
    expect(suite.name).toBe("data");
    expect(suite.expectations.map((entry) => entry.type)).toEqual([
      "expect_table_columns_to_match_ordered_list",
      "expect_table_row_count_to_be_between",
      "expect_column_values_to_be_of_type",
      "expect_column_values_to_not_be_null",
      "expect_column_values_to_be_between",
      "expect_column_values_to_be_of_type",
      "expect_column_values_to_be_between",
      "expect_column_values_to_be_of_type",
      "expect_column_values_to_not_be_null",
      "expect_column_values_to_be_in_set",
    ]);
    expect(suite.expectations[1]!.kwargs).toEqual({ min_value: 20, max_value: 80 });
    expect(suite.expectations[9]!.kwargs).toEqual({ column: "kind", value_set: ["a", "b", "c"] });
    const reparsed = parseSuite(formatSuite(suite));
    expect((await validateData(csv, reparsed)).success).toBe(true);
    expect((await validateData(parquet, parseSuite(formatSuite(suite, true)))).success).toBe(true);
  });
});
