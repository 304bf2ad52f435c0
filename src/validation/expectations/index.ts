/**
 * @module validation/expectations
 * Every supported expectation by its GX name. A new expectation is a definition in one of the
 * sibling files and one line here.
 */
import type { ExpectationDefinition } from "../plan.js";
import {
  expectColumnDistinctValuesToBeInSet,
  expectColumnMaxToBeBetween,
  expectColumnMeanToBeBetween,
  expectColumnMedianToBeBetween,
  expectColumnMinToBeBetween,
  expectColumnProportionOfUniqueValuesToBeBetween,
  expectColumnStdevToBeBetween,
  expectColumnSumToBeBetween,
  expectColumnValuesToBeOfType,
} from "./aggregate.js";
import {
  expectColumnValueLengthsToBeBetween,
  expectColumnValuesToBeBetween,
  expectColumnValuesToBeInSet,
  expectColumnValuesToBeNull,
  expectColumnValuesToMatchRegex,
  expectColumnValuesToNotBeInSet,
  expectColumnValuesToNotBeNull,
} from "./column-map.js";
import { expectColumnKlDivergenceToBeLessThan } from "./kl.js";
import {
  expectColumnPairValuesAToBeGreaterThanB,
  expectColumnValuesToBeIncreasing,
  expectColumnValuesToBeUnique,
  expectCompoundColumnsToBeUnique,
} from "./rows.js";
import {
  expectColumnToExist,
  expectTableColumnsToMatchOrderedList,
  expectTableColumnsToMatchSet,
  expectTableRowCountToBeBetween,
} from "./table.js";

export const EXPECTATIONS: Readonly<Record<string, ExpectationDefinition>> = {
  expect_table_row_count_to_be_between: expectTableRowCountToBeBetween,
  expect_table_columns_to_match_ordered_list: expectTableColumnsToMatchOrderedList,
  expect_table_columns_to_match_set: expectTableColumnsToMatchSet,
  expect_column_to_exist: expectColumnToExist,
  expect_column_values_to_not_be_null: expectColumnValuesToNotBeNull,
  expect_column_values_to_be_null: expectColumnValuesToBeNull,
  expect_column_values_to_be_between: expectColumnValuesToBeBetween,
  expect_column_values_to_be_in_set: expectColumnValuesToBeInSet,
  expect_column_values_to_not_be_in_set: expectColumnValuesToNotBeInSet,
  expect_column_values_to_match_regex: expectColumnValuesToMatchRegex,
  expect_column_values_to_be_unique: expectColumnValuesToBeUnique,
  expect_column_values_to_be_of_type: expectColumnValuesToBeOfType,
  expect_column_values_to_be_increasing: expectColumnValuesToBeIncreasing,
  expect_column_mean_to_be_between: expectColumnMeanToBeBetween,
  expect_column_median_to_be_between: expectColumnMedianToBeBetween,
  expect_column_stdev_to_be_between: expectColumnStdevToBeBetween,
  expect_column_min_to_be_between: expectColumnMinToBeBetween,
  expect_column_max_to_be_between: expectColumnMaxToBeBetween,
  expect_column_sum_to_be_between: expectColumnSumToBeBetween,
  expect_column_proportion_of_unique_values_to_be_between: expectColumnProportionOfUniqueValuesToBeBetween,
  expect_column_distinct_values_to_be_in_set: expectColumnDistinctValuesToBeInSet,
  expect_column_value_lengths_to_be_between: expectColumnValueLengthsToBeBetween,
  expect_compound_columns_to_be_unique: expectCompoundColumnsToBeUnique,
  expect_column_pair_values_a_to_be_greater_than_b: expectColumnPairValuesAToBeGreaterThanB,
  expect_column_kl_divergence_to_be_less_than: expectColumnKlDivergenceToBeLessThan,
};

/** The definition of `type`, or undefined when Lathe does not know it. */
export function findExpectation(type: string): ExpectationDefinition | undefined {
  return Object.hasOwn(EXPECTATIONS, type) ? EXPECTATIONS[type] : undefined;
}
