/**
 * @module validation/expectations/table
 * Table-level expectations: row count and the column list. Columns come from DuckDB's schema, so
 * only the row count needs the scan.
 */
import { requireABound } from "../kwargs.js";
import type { ExpectationDefinition } from "../plan.js";

export const expectTableRowCountToBeBetween: ExpectationDefinition = {
  args: [
    { name: "min_value", kind: "count", default: null },
    { name: "max_value", kind: "count", default: null },
  ],
  check: requireABound,
  plan(kwargs) {
    const min = kwargs.min_value as number | null;
    const max = kwargs.max_value as number | null;
    return {
      aggregates: [],
      finish({ rowCount }) {
        return {
          success: (min === null || rowCount >= min) && (max === null || rowCount <= max),
          result: { observed_value: rowCount },
        };
      },
    };
  },
};

export const expectTableColumnsToMatchOrderedList: ExpectationDefinition = {
  args: [{ name: "column_list", kind: "columns", required: true }],
  plan(kwargs, { columns }) {
    const expected = kwargs.column_list as readonly string[];
    const observed = columns.map((column) => column.name);
    const mismatched: { "Expected Column Position": number; Expected: string | null; Found: string | null }[] = [];
    for (let i = 0; i < Math.max(expected.length, observed.length); i++)
      if (expected[i] !== observed[i])
        mismatched.push({ "Expected Column Position": i, Expected: expected[i] ?? null, Found: observed[i] ?? null });
    return {
      aggregates: [],
      finish: () => ({
        success: mismatched.length === 0,
        result: { observed_value: observed, ...(mismatched.length > 0 ? { details: { mismatched } } : {}) },
      }),
    };
  },
};

export const expectTableColumnsToMatchSet: ExpectationDefinition = {
  args: [
    { name: "column_set", kind: "columns", required: true },
    { name: "exact_match", kind: "boolean", default: true },
  ],
  plan(kwargs, { columns }) {
    const expected = new Set(kwargs.column_set as readonly string[]);
    const observed = columns.map((column) => column.name);
    const unexpected = observed.filter((name) => !expected.has(name));
    const missing = [...expected].filter((name) => !observed.includes(name));
    const success = missing.length === 0 && (kwargs.exact_match === false || unexpected.length === 0);
    return {
      aggregates: [],
      finish: () => ({
        success,
        result: { observed_value: observed, details: { mismatched: { unexpected, missing } } },
      }),
    };
  },
};

export const expectColumnToExist: ExpectationDefinition = {
  args: [
    { name: "column", kind: "column", required: true },
    { name: "column_index", kind: "index" },
  ],
  plan(kwargs, { columns }) {
    const index = columns.findIndex((column) => column.name === kwargs.column);
    const wanted = kwargs.column_index as number | undefined;
    return {
      aggregates: [],
      finish: () => ({
        success: index >= 0 && (wanted === undefined || wanted === index),
        result: { observed_value: index >= 0 ? index : null },
      }),
    };
  },
};
