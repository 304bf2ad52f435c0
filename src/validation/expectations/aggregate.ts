/**
 * @module validation/expectations/aggregate
 * Column aggregate expectations: one statistic in the shared scan, reported as `observed_value`.
 * A statistic over no values (empty table, all null) is null and fails, as in GX.
 */
import { requireABound } from "../kwargs.js";
import { DataMismatch, type ExpectationDefinition, findColumn, type Outcome } from "../plan.js";
import { isNumericType, quoteIdentifier, type Scalar } from "../sql.js";
import type { Kwargs } from "../types.js";
import { BETWEEN_ARGS } from "./column-map.js";

function compare(a: unknown, b: Scalar): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  const left = String(a);
  const right = String(b);
  return left < right ? -1 : left > right ? 1 : 0;
}

/** GX's between rule for an observed statistic. */
export function betweenOutcome(observed: unknown, kwargs: Kwargs): Outcome {
  const min = kwargs.min_value as Scalar | null;
  const max = kwargs.max_value as Scalar | null;
  let success = observed !== null && observed !== undefined && !Number.isNaN(observed);
  if (success && min !== null) success = kwargs.strict_min ? compare(observed, min) > 0 : compare(observed, min) >= 0;
  if (success && max !== null) success = kwargs.strict_max ? compare(observed, max) < 0 : compare(observed, max) <= 0;
  return { success, result: { observed_value: observed ?? null } };
}

const ARGS = [{ name: "column", kind: "column", required: true }, ...BETWEEN_ARGS] as const;

function statistic(sql: (quoted: string) => string, numericOnly: boolean): ExpectationDefinition {
  return {
    args: ARGS,
    check: requireABound,
    plan(kwargs, context) {
      const column = findColumn(context, kwargs.column as string);
      if (numericOnly && !isNumericType(column.type))
        throw new DataMismatch(`column '${column.name}' is ${column.type}, not numeric`);
      return {
        aggregates: [sql(quoteIdentifier(column.name))],
        finish: ({ values }) => betweenOutcome(values[0], kwargs),
      };
    },
  };
}

export const expectColumnMeanToBeBetween = statistic((q) => `avg(${q})`, true);
export const expectColumnMedianToBeBetween = statistic((q) => `median(${q})`, true);
/** Sample standard deviation (n − 1), as pandas and GX compute it. */
export const expectColumnStdevToBeBetween = statistic((q) => `stddev_samp(${q})`, true);
export const expectColumnMinToBeBetween = statistic((q) => `min(${q})`, false);
export const expectColumnMaxToBeBetween = statistic((q) => `max(${q})`, false);
export const expectColumnSumToBeBetween = statistic((q) => `sum(${q})`, true);

export const expectColumnProportionOfUniqueValuesToBeBetween: ExpectationDefinition = {
  args: ARGS,
  check: requireABound,
  plan(kwargs, context) {
    const quoted = quoteIdentifier(findColumn(context, kwargs.column as string).name);
    return {
      aggregates: [`count(DISTINCT ${quoted})`, `count(${quoted})`],
      finish({ values }) {
        const [distinct, nonNull] = values as number[];
        return betweenOutcome(nonNull === 0 ? null : distinct! / nonNull!, kwargs);
      },
    };
  },
};

function sameValue(observed: unknown, wanted: Scalar): boolean {
  return observed === wanted || String(observed) === String(wanted);
}

export const expectColumnDistinctValuesToBeInSet: ExpectationDefinition = {
  args: [
    { name: "column", kind: "column", required: true },
    { name: "value_set", kind: "set", required: true },
  ],
  plan(kwargs, context) {
    const quoted = quoteIdentifier(findColumn(context, kwargs.column as string).name);
    const set = kwargs.value_set as readonly Scalar[];
    return {
      aggregates: [`list(DISTINCT ${quoted} ORDER BY ${quoted}) FILTER (WHERE ${quoted} IS NOT NULL)`],
      finish({ values }) {
        const observed = (values[0] as unknown[] | null) ?? [];
        const unexpected = observed.filter((value) => !set.some((wanted) => sameValue(value, wanted)));
        return {
          success: unexpected.length === 0,
          result: { observed_value: observed, details: { value_set: set, unexpected_values: unexpected } },
        };
      },
    };
  },
};

/** Type names a GX user may write, by DuckDB type family. */
const TYPE_FAMILIES: Record<string, (type: string) => boolean> = {
  integer: (type) => /^(U?(TINY|SMALL|BIG|HUGE)?INT(EGER)?)$/.test(type),
  float: (type) => type === "FLOAT" || type === "DOUBLE" || type.startsWith("DECIMAL"),
  string: (type) => type === "VARCHAR",
  boolean: (type) => type === "BOOLEAN",
  date: (type) => type === "DATE",
  timestamp: (type) => type.startsWith("TIMESTAMP"),
};

const TYPE_ALIASES: Record<string, string> = {
  int: "integer",
  int8: "integer",
  int16: "integer",
  int32: "integer",
  int64: "integer",
  integer: "integer",
  long: "integer",
  float: "float",
  float32: "float",
  float64: "float",
  double: "float",
  real: "float",
  number: "float",
  numeric: "float",
  str: "string",
  string: "string",
  object: "string",
  text: "string",
  varchar: "string",
  bool: "boolean",
  boolean: "boolean",
  date: "date",
  datetime: "timestamp",
  datetime64: "timestamp",
  "datetime64[ns]": "timestamp",
  timestamp: "timestamp",
};

/** True when DuckDB's `type` is what `wanted` names (a DuckDB type, or a pandas/Python alias). */
export function typeMatches(type: string, wanted: string): boolean {
  if (type.toUpperCase() === wanted.toUpperCase()) return true;
  const family = TYPE_ALIASES[wanted.toLowerCase()];
  return family !== undefined && TYPE_FAMILIES[family]!(type);
}

export const expectColumnValuesToBeOfType: ExpectationDefinition = {
  args: [
    { name: "column", kind: "column", required: true },
    { name: "type_", kind: "string", required: true },
    { name: "mostly", kind: "mostly", default: 1 },
  ],
  plan(kwargs, context) {
    const column = findColumn(context, kwargs.column as string);
    return {
      aggregates: [],
      finish: () => ({
        success: typeMatches(column.type, kwargs.type_ as string),
        result: { observed_value: column.type },
      }),
    };
  },
};
