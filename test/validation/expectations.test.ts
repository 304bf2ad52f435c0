/**
 * One block per expectation over a small CSV with nulls, an awkward column name and a quote in a
 * value; empty tables and `mostly` exactly at its boundary.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { check, makeDir, removeDir, runSuite, writeData } from "./helpers.js";

const DATA = `id,name,score,city,a,b,"we""ird"
1,ann,1.5,paris,1,0,x
2,bob,2.5,rome,2,2,y
3,,3.5,paris,3,1,x
4,dan,,oslo,,5,z
5,o'neil,10,paris,0,,x
`;

let dir: string;
let data: string;
let empty: string;
beforeAll(async () => {
  dir = await makeDir();
  data = await writeData(dir, "people.csv", DATA);
  empty = await writeData(dir, "empty.csv", "id,name\n");
});
afterAll(async () => removeDir(dir));

describe("expect_table_row_count_to_be_between", () => {
  it("passes inside the bounds, fails outside, and counts an empty table as 0", async () => {
    const inside = await check(data, "expect_table_row_count_to_be_between", { min_value: 1, max_value: 5 });
    expect(inside).toMatchObject({ success: true, result: { observed_value: 5 } });
    const below = await check(data, "expect_table_row_count_to_be_between", { min_value: 6 });
    expect(below.success).toBe(false);
    const none = await check(empty, "expect_table_row_count_to_be_between", { min_value: 0, max_value: 0 });
    expect(none).toMatchObject({ success: true, result: { observed_value: 0 } });
  });
});

describe("expect_table_columns_to_match_ordered_list", () => {
  it("needs the exact names in order and lists the mismatches", async () => {
    const columns = ["id", "name", "score", "city", "a", "b", 'we"ird'];
    expect((await check(data, "expect_table_columns_to_match_ordered_list", { column_list: columns })).success).toBe(
      true,
    );
    const swapped = await check(data, "expect_table_columns_to_match_ordered_list", {
      column_list: ["name", "id", "score", "city", "a", "b", 'we"ird'],
    });
    expect(swapped.success).toBe(false);
    expect(swapped.result.details).toEqual({
      mismatched: [
        { "Expected Column Position": 0, Expected: "name", Found: "id" },
        { "Expected Column Position": 1, Expected: "id", Found: "name" },
      ],
    });
  });
});

describe("expect_table_columns_to_match_set", () => {
  it("matches exactly by default and allows extra columns with exact_match: false", async () => {
    const all = ["b", "a", "id", "name", "score", "city", 'we"ird'];
    expect((await check(data, "expect_table_columns_to_match_set", { column_set: all })).success).toBe(true);
    const some = await check(data, "expect_table_columns_to_match_set", { column_set: ["id", "name"] });
    expect(some.success).toBe(false);
    expect((some.result.details as { mismatched: { unexpected: string[] } }).mismatched.unexpected).toHaveLength(5);
    const subset = await check(data, "expect_table_columns_to_match_set", {
      column_set: ["id", "name"],
      exact_match: false,
    });
    expect(subset.success).toBe(true);
    const missing = await check(data, "expect_table_columns_to_match_set", {
      column_set: ["id", "zip"],
      exact_match: false,
    });
    expect(missing.success).toBe(false);
  });
});

describe("expect_column_to_exist", () => {
  it("checks presence and, when given, the position", async () => {
    expect((await check(data, "expect_column_to_exist", { column: 'we"ird' })).success).toBe(true);
    expect((await check(data, "expect_column_to_exist", { column: "zip" })).success).toBe(false);
    expect((await check(data, "expect_column_to_exist", { column: "name", column_index: 1 })).success).toBe(true);
    expect((await check(data, "expect_column_to_exist", { column: "name", column_index: 0 })).success).toBe(false);
  });
});

describe("expect_column_values_to_not_be_null", () => {
  it("counts nulls over all rows, with mostly exactly at the boundary", async () => {
    const strict = await check(data, "expect_column_values_to_not_be_null", { column: "name" });
    expect(strict).toMatchObject({
      success: false,
      result: { element_count: 5, unexpected_count: 1, unexpected_percent: 20, partial_unexpected_list: [null] },
    });
    expect((await check(data, "expect_column_values_to_not_be_null", { column: "name", mostly: 0.8 })).success).toBe(
      true,
    );
    expect((await check(data, "expect_column_values_to_not_be_null", { column: "name", mostly: 0.81 })).success).toBe(
      false,
    );
    const none = await check(empty, "expect_column_values_to_not_be_null", { column: "name" });
    expect(none).toMatchObject({ success: true, result: { element_count: 0, unexpected_count: 0 } });
  });
});

describe("expect_column_values_to_be_null", () => {
  it("makes every present value unexpected", async () => {
    const result = await check(data, "expect_column_values_to_be_null", { column: "name" });
    expect(result).toMatchObject({ success: false, result: { unexpected_count: 4 } });
    expect(result.result.partial_unexpected_list).toEqual(["ann", "bob", "dan", "o'neil"]);
    expect((await check(data, "expect_column_values_to_be_null", { column: "name", mostly: 0.2 })).success).toBe(true);
    expect((await check(data, "expect_column_values_to_be_null", { column: "name", mostly: 0.21 })).success).toBe(
      false,
    );
  });
});

describe("expect_column_values_to_be_between", () => {
  it("skips nulls, reports GX's counts, and honours strict bounds and mostly", async () => {
    const result = await check(data, "expect_column_values_to_be_between", {
      column: "score",
      min_value: 2,
      max_value: 5,
    });
    expect(result).toEqual(
      expect.objectContaining({
        success: false,
        result: {
          element_count: 5,
          unexpected_count: 2,
          unexpected_percent: 50,
          partial_unexpected_list: [1.5, 10],
          missing_count: 1,
          missing_percent: 20,
          unexpected_percent_total: 40,
          unexpected_percent_nonmissing: 50,
        },
      }),
    );
    const half = { column: "score", min_value: 2, max_value: 5, mostly: 0.5 };
    expect((await check(data, "expect_column_values_to_be_between", half)).success).toBe(true);
    expect((await check(data, "expect_column_values_to_be_between", { ...half, mostly: 0.51 })).success).toBe(false);
    const open = await check(data, "expect_column_values_to_be_between", { column: "score", min_value: 1.5 });
    expect(open.success).toBe(true);
    const strict = await check(data, "expect_column_values_to_be_between", {
      column: "score",
      min_value: 1.5,
      strict_min: true,
    });
    expect(strict.result.partial_unexpected_list).toEqual([1.5]);
    const strictMax = await check(data, "expect_column_values_to_be_between", {
      column: "score",
      max_value: 10,
      strict_max: true,
    });
    expect(strictMax.result.unexpected_count).toBe(1);
  });

  it("is vacuously true on an empty table", async () => {
    const result = await check(empty, "expect_column_values_to_be_between", { column: "id", min_value: 0 });
    expect(result).toMatchObject({
      success: true,
      result: { element_count: 0, unexpected_count: 0, unexpected_percent: null },
    });
  });
});

describe("expect_column_values_to_be_in_set / _not_be_in_set", () => {
  it("checks membership as text or numbers, with quotes in values", async () => {
    const cities = await check(data, "expect_column_values_to_be_in_set", {
      column: "city",
      value_set: ["paris", "rome"],
    });
    expect(cities).toMatchObject({
      success: false,
      result: { unexpected_count: 1, partial_unexpected_list: ["oslo"] },
    });
    const ids = await check(data, "expect_column_values_to_be_in_set", { column: "id", value_set: [1, 2, 3, 4, 5] });
    expect(ids.success).toBe(true);
    const names = await check(data, "expect_column_values_to_be_in_set", {
      column: "name",
      value_set: ["ann", "bob", "dan", "o'neil"],
    });
    expect(names.success).toBe(true);
    const banned = await check(data, "expect_column_values_to_not_be_in_set", { column: "city", value_set: ["oslo"] });
    expect(banned).toMatchObject({
      success: false,
      result: { unexpected_count: 1, partial_unexpected_list: ["oslo"] },
    });
    const mostly = await check(data, "expect_column_values_to_not_be_in_set", {
      column: "city",
      value_set: ["oslo"],
      mostly: 0.8,
    });
    expect(mostly.success).toBe(true);
  });
});

describe("expect_column_values_to_match_regex", () => {
  it("searches each non-null value", async () => {
    const result = await check(data, "expect_column_values_to_match_regex", { column: "name", regex: "^[a-z]+$" });
    expect(result).toMatchObject({
      success: false,
      result: { unexpected_count: 1, partial_unexpected_list: ["o'neil"], missing_count: 1 },
    });
    expect((await check(data, "expect_column_values_to_match_regex", { column: "name", regex: "n" })).success).toBe(
      false,
    );
    expect((await check(data, "expect_column_values_to_match_regex", { column: "name", regex: "[a-z]" })).success).toBe(
      true,
    );
  });
});

describe("expect_column_values_to_be_unique", () => {
  it("makes every occurrence of a repeated value unexpected", async () => {
    expect((await check(data, "expect_column_values_to_be_unique", { column: "id" })).success).toBe(true);
    const city = await check(data, "expect_column_values_to_be_unique", { column: "city" });
    expect(city).toMatchObject({ success: false, result: { unexpected_count: 3 } });
    expect(city.result.partial_unexpected_list).toEqual(["paris", "paris", "paris"]);
    expect((await check(data, "expect_column_values_to_be_unique", { column: "city", mostly: 0.4 })).success).toBe(
      true,
    );
  });
});

describe("expect_column_values_to_be_of_type", () => {
  it("accepts DuckDB names and the usual pandas/Python aliases", async () => {
    for (const [column, type_] of [
      ["id", "BIGINT"],
      ["id", "int64"],
      ["score", "float"],
      ["name", "str"],
    ])
      expect((await check(data, "expect_column_values_to_be_of_type", { column, type_ })).success).toBe(true);
    const wrong = await check(data, "expect_column_values_to_be_of_type", { column: "id", type_: "str" });
    expect(wrong).toMatchObject({ success: false, result: { observed_value: "BIGINT" } });
  });
});

describe("expect_column_values_to_be_increasing", () => {
  it("checks file order, skipping nulls; strictly rejects repeats", async () => {
    expect((await check(data, "expect_column_values_to_be_increasing", { column: "id", strictly: true })).success).toBe(
      true,
    );
    const a = await check(data, "expect_column_values_to_be_increasing", { column: "a" });
    expect(a).toMatchObject({ success: false, result: { unexpected_count: 1, partial_unexpected_list: [0] } });
    const repeats = await writeData(dir, "repeats.csv", "x\n1\n1\n2\n");
    expect((await check(repeats, "expect_column_values_to_be_increasing", { column: "x" })).success).toBe(true);
    const strictly = await check(repeats, "expect_column_values_to_be_increasing", { column: "x", strictly: true });
    expect(strictly).toMatchObject({ success: false, result: { unexpected_count: 1 } });
  });
});

describe("column statistics between", () => {
  const values = [1.5, 2.5, 3.5, 10];
  const mean = values.reduce((sum, v) => sum + v, 0) / values.length;
  const stdev = Math.sqrt(values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / (values.length - 1));

  it("expect_column_mean_to_be_between ignores nulls", async () => {
    const result = await check(data, "expect_column_mean_to_be_between", {
      column: "score",
      min_value: 4,
      max_value: 5,
    });
    expect(result).toMatchObject({ success: true, result: { observed_value: mean } });
  });

  it("expect_column_median_to_be_between averages the middle pair", async () => {
    const result = await check(data, "expect_column_median_to_be_between", {
      column: "score",
      min_value: 3,
      max_value: 3,
    });
    expect(result).toMatchObject({ success: true, result: { observed_value: 3 } });
  });

  it("expect_column_stdev_to_be_between uses the sample deviation", async () => {
    const result = await check(data, "expect_column_stdev_to_be_between", { column: "score", max_value: 100 });
    expect(result.result.observed_value).toBeCloseTo(stdev, 12);
  });

  it("expect_column_min_to_be_between and _max_ work on numbers and text", async () => {
    expect(await check(data, "expect_column_min_to_be_between", { column: "score", min_value: 1.5 })).toMatchObject({
      success: true,
      result: { observed_value: 1.5 },
    });
    expect(
      (await check(data, "expect_column_min_to_be_between", { column: "score", min_value: 1.5, strict_min: true }))
        .success,
    ).toBe(false);
    expect(await check(data, "expect_column_max_to_be_between", { column: "city", max_value: "rome" })).toMatchObject({
      success: true,
      result: { observed_value: "rome" },
    });
  });

  it("expect_column_sum_to_be_between honours strict_max", async () => {
    expect(await check(data, "expect_column_sum_to_be_between", { column: "score", max_value: 17.5 })).toMatchObject({
      success: true,
      result: { observed_value: 17.5 },
    });
    expect(
      (await check(data, "expect_column_sum_to_be_between", { column: "score", max_value: 17.5, strict_max: true }))
        .success,
    ).toBe(false);
  });

  it("fails with a null observed value on an empty table, and reports a text column as an exception", async () => {
    expect(await check(empty, "expect_column_max_to_be_between", { column: "id", min_value: 0 })).toMatchObject({
      success: false,
      result: { observed_value: null },
    });
    const text = await check(data, "expect_column_mean_to_be_between", { column: "city", min_value: 0 });
    expect(text.success).toBe(false);
    expect(text.exception_info).toEqual({
      raised_exception: true,
      exception_message: "column 'city' is VARCHAR, not numeric",
      exception_traceback: null,
    });
  });
});

describe("expect_column_proportion_of_unique_values_to_be_between", () => {
  it("divides distinct values by non-null values", async () => {
    const city = await check(data, "expect_column_proportion_of_unique_values_to_be_between", {
      column: "city",
      min_value: 0.6,
    });
    expect(city).toMatchObject({ success: true, result: { observed_value: 0.6 } });
    const name = await check(data, "expect_column_proportion_of_unique_values_to_be_between", {
      column: "name",
      max_value: 0.9,
    });
    expect(name).toMatchObject({ success: false, result: { observed_value: 1 } });
  });
});

describe("expect_column_distinct_values_to_be_in_set", () => {
  it("reports the sorted distinct values", async () => {
    const result = await check(data, "expect_column_distinct_values_to_be_in_set", {
      column: "city",
      value_set: ["paris", "rome"],
    });
    expect(result).toMatchObject({ success: false, result: { observed_value: ["oslo", "paris", "rome"] } });
    expect(
      (await check(data, "expect_column_distinct_values_to_be_in_set", { column: "id", value_set: [1, 2, 3, 4, 5, 6] }))
        .success,
    ).toBe(true);
    expect(
      (await check(empty, "expect_column_distinct_values_to_be_in_set", { column: "id", value_set: [] })).success,
    ).toBe(true);
  });
});

describe("expect_column_value_lengths_to_be_between", () => {
  it("measures text length of non-null values", async () => {
    const result = await check(data, "expect_column_value_lengths_to_be_between", {
      column: "name",
      min_value: 3,
      max_value: 3,
    });
    expect(result).toMatchObject({
      success: false,
      result: { unexpected_count: 1, partial_unexpected_list: ["o'neil"] },
    });
    expect(
      (await check(data, "expect_column_value_lengths_to_be_between", { column: "name", min_value: 3, mostly: 0.75 }))
        .success,
    ).toBe(true);
  });
});

describe("expect_compound_columns_to_be_unique", () => {
  it("finds repeated tuples, listing them as rows", async () => {
    const result = await check(data, "expect_compound_columns_to_be_unique", { column_list: ["city", 'we"ird'] });
    expect(result).toMatchObject({ success: false, result: { unexpected_count: 3 } });
    expect(result.result.partial_unexpected_list).toEqual(Array(3).fill({ city: "paris", 'we"ird': "x" }));
    expect((await check(data, "expect_compound_columns_to_be_unique", { column_list: ["id", "city"] })).success).toBe(
      true,
    );
  });
});

describe("expect_column_pair_values_a_to_be_greater_than_b", () => {
  it("ignores rows where both are missing by default; or_equal and ignore_row_if change the count", async () => {
    const result = await check(data, "expect_column_pair_values_a_to_be_greater_than_b", {
      column_A: "a",
      column_B: "b",
    });
    expect(result).toMatchObject({ success: false, result: { element_count: 5, unexpected_count: 3 } });
    expect(result.result.partial_unexpected_list).toEqual([
      [2, 2],
      [null, 5],
      [0, null],
    ]);
    const orEqual = await check(data, "expect_column_pair_values_a_to_be_greater_than_b", {
      column_A: "a",
      column_B: "b",
      or_equal: true,
      ignore_row_if: "either_value_is_missing",
    });
    expect(orEqual).toMatchObject({ success: true, result: { unexpected_count: 0, missing_count: 2 } });
  });
});

describe("expect_column_kl_divergence_to_be_less_than", () => {
  it("is zero when the partition matches the data", async () => {
    const result = await check(data, "expect_column_kl_divergence_to_be_less_than", {
      column: "score",
      partition_object: { bins: [0, 5, 20], weights: [0.75, 0.25] },
      threshold: 0.01,
    });
    expect(result).toMatchObject({ success: true, result: { observed_value: 0 } });
  });

  it("computes KL(expected ‖ observed) and is infinite where an expected bin is empty", async () => {
    const result = await check(data, "expect_column_kl_divergence_to_be_less_than", {
      column: "score",
      partition_object: { bins: [0, 5, 20], weights: [0.5, 0.5] },
      threshold: 0.1,
    });
    expect(result.success).toBe(false);
    expect(result.result.observed_value).toBeCloseTo(0.5 * Math.log(0.5 / 0.75) + 0.5 * Math.log(0.5 / 0.25), 12);
    const empty = await check(data, "expect_column_kl_divergence_to_be_less_than", {
      column: "score",
      partition_object: { bins: [20, 30], weights: [1] },
      threshold: 10,
    });
    expect(empty).toMatchObject({ success: false, result: { observed_value: Number.POSITIVE_INFINITY } });
  });

  it("handles categorical partitions", async () => {
    const result = await check(data, "expect_column_kl_divergence_to_be_less_than", {
      column: "city",
      partition_object: { values: ["paris", "rome", "oslo"], weights: [0.6, 0.2, 0.2] },
      threshold: 1e-9,
    });
    expect(result).toMatchObject({ success: true, result: { observed_value: 0 } });
  });
});

describe("SQL safety", () => {
  it("quotes identifiers and literals, so quotes in names and values are data, not SQL", async () => {
    const result = await runSuite(data, [
      ["expect_column_values_to_be_in_set", { column: 'we"ird', value_set: ["x", "y", "z", "z'); DROP TABLE t; --"] }],
      ["expect_column_values_to_match_regex", { column: 'we"ird', regex: "^[xyz]'?$" }],
      ["expect_column_values_to_not_be_null", { column: 'we"ird' }],
    ]);
    expect(result.results.map((entry) => entry.success)).toEqual([true, true, true]);
  });
});

describe("a failing SQL expression", () => {
  it("fails only its own expectation, with the database's message", async () => {
    const result = await runSuite(data, [
      ["expect_column_values_to_match_regex", { column: "name", regex: "(" }],
      ["expect_column_values_to_be_between", { column: "score", min_value: "not a number" }],
      ["expect_column_values_to_not_be_null", { column: "id" }],
      ["expect_column_mean_to_be_between", { column: "score", min_value: 0 }],
    ]);
    expect(result.results.map((entry) => entry.exception_info.raised_exception)).toEqual([true, true, false, false]);
    expect(result.results.map((entry) => entry.success)).toEqual([false, false, true, true]);
    expect(result.results[0]!.exception_info.exception_message).toMatch(/missing \)|parenthes/i);
  });
});
