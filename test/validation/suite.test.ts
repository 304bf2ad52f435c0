/**
 * Suite files: GX's 1.x and 0.x layouts, and the messages of bad suites (index, field, fix).
 */
import { describe, expect, it } from "vitest";
import { LatheError } from "../../src/core/errors.js";
import { parseSuite } from "../../src/validation/suite.js";

function failure(text: string): LatheError {
  try {
    parseSuite(text, "suite.yaml");
  } catch (error) {
    expect(error).toBeInstanceOf(LatheError);
    return error as LatheError;
  }
  throw new Error("the suite was accepted");
}

describe("parseSuite", () => {
  it("reads YAML with type and JSON with GX 0.x's expectation_type", () => {
    const yaml = parseSuite(
      "name: s\nexpectations:\n  - type: expect_column_to_exist\n    kwargs: {column: a}\n    meta: {owner: data}\n",
    );
    expect(yaml).toEqual({
      name: "s",
      meta: {},
      expectations: [{ type: "expect_column_to_exist", kwargs: { column: "a" }, meta: { owner: "data" } }],
    });
    const json = parseSuite(
      JSON.stringify({
        expectation_suite_name: "old",
        expectations: [
          { expectation_type: "expect_column_values_to_not_be_null", kwargs: { column: "a", result_format: "BASIC" } },
        ],
      }),
    );
    expect(json.name).toBe("old");
    expect(json.expectations[0]!.type).toBe("expect_column_values_to_not_be_null");
  });

  it("names the index of an unknown expectation and suggests the closest name", () => {
    const error = failure(
      "name: s\nexpectations:\n  - type: expect_column_to_exist\n    kwargs: {column: a}\n  - type: expect_column_values_to_be_betwen\n    kwargs: {column: a}\n",
    );
    expect(error.code).toBe("INVALID_PARAMETER_VALUE");
    expect(error.message).toContain(
      "suite.yaml: expectations[1] has the unknown type 'expect_column_values_to_be_betwen'",
    );
    expect(error.message).toContain("did you mean 'expect_column_values_to_be_between'?");
  });

  it("names the field and shows an example for a bad kwarg", () => {
    const error = failure(
      "name: s\nexpectations:\n  - type: expect_column_values_to_be_between\n    kwargs: {column: a, min_value: 0, mostly: 1.5}\n",
    );
    expect(error.message).toBe(
      "suite.yaml: expectations[0] (expect_column_values_to_be_between): kwargs.mostly must be a number between 0 and 1, got 1.5; e.g. mostly: 0.95.",
    );
  });

  it("rejects a missing required kwarg, an unknown kwarg and a between with no bounds", () => {
    expect(
      failure("expectations:\n  - type: expect_column_values_to_be_in_set\n    kwargs: {column: a}\n").message,
    ).toContain("kwargs.value_set is missing; add it");
    expect(
      failure("expectations:\n  - type: expect_column_values_to_be_unique\n    kwargs: {column: a, colum: b}\n")
        .message,
    ).toContain("unknown kwarg 'colum'; it accepts column, mostly");
    expect(
      failure("expectations:\n  - type: expect_column_mean_to_be_between\n    kwargs: {column: a}\n").message,
    ).toContain("set kwargs.min_value, kwargs.max_value or both");
    expect(
      failure(
        "expectations:\n  - type: expect_compound_columns_to_be_unique\n    kwargs: {column_list: [a], ignore_row_if: sometimes}\n",
      ).message,
    ).toContain('kwargs.ignore_row_if must be one of "all_values_are_missing"');
  });

  it("checks partition objects", () => {
    const bad = (partition: string) =>
      failure(
        `expectations:\n  - type: expect_column_kl_divergence_to_be_less_than\n    kwargs: {column: a, threshold: 0.1, partition_object: ${partition}}\n`,
      ).message;
    expect(bad("{bins: [0, 1], weights: [0.5, 0.5]}")).toContain("needs one more bin edge than weights");
    expect(bad("{bins: [0, 1, 2], weights: [0.5, 0.6]}")).toContain("must sum to 1");
    expect(bad("{bins: [0, 2, 1], weights: [0.5, 0.5]}")).toContain("strictly increasing");
    expect(bad("{weights: [1]}")).toContain("needs bins (continuous data) or values");
  });

  it("rejects malformed documents", () => {
    expect(failure("- just a list").message).toContain("must be a mapping with 'name' and 'expectations'");
    expect(failure("name: s\nexpectations: {}\n").message).toContain("'expectations' must be a list");
    expect(failure("expectations:\n  - kwargs: {}\n").message).toContain("expectations[0] needs 'type'");
    expect(failure("expectations:\n  - type: expect_column_to_exist\n    column: a\n").message).toContain(
      "unknown field 'column'; put arguments under 'kwargs'",
    );
    expect(failure("name: [unclosed\n").message).toContain("is not valid YAML or JSON");
  });
});
